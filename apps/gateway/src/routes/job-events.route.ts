import type { Request, Response, Router } from 'express';
import { strictRouter } from '../http/strict-router';
import { toAppError } from '../http/error-handler';
import { accessOf } from '../auth/access';
import { createSession, type Session } from 'better-sse';
import { AppError } from '@argus/contracts';
import type { JobService } from '../jobs/job.service';
import type { JobView } from '../jobs/job-view';
import type { JobWaiters } from '../jobs/job-waiters';
import { isTerminal } from '../jobs/job-wait';

export interface JobEventsSettings {
  /** Comment lines that keep proxies from closing a quiet stream. Default 15 s. */
  heartbeatMs?: number;
}

/** The id of the terminal event; a client resuming after it has nothing left to hear. */
const END_ID = 'end';
/** setTimeout's largest delay: an event stream has no deadline of its own. */
const NO_DEADLINE_MS = 2 ** 31 - 1;

/**
 * `GET /v1/jobs/:id/events`: Server-Sent Events. `progress` events carry the job view with
 * its stage and percent (event id = the percent, so `Last-Event-ID` resumes without
 * repeats), then one terminal event (`completed`, `failed` or `canceled`, id `end`) with
 * the final view, and the stream closes. A job that already ended gets its terminal event
 * at once; an unknown id is a plain 404 before any stream starts.
 */
export function jobEventsRouter(jobs: JobService, waiters: JobWaiters, settings: JobEventsSettings): Router {
  const router = strictRouter();
  router.get('/v1/jobs/:id/events', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const lastId = req.get('last-event-id') ?? '';
    const access = accessOf(req);
    const waiter = waiters.subscribe(id);
    try {
      let view = await jobs.get(id, access);
      if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
      // 204 tells an EventSource to stop reconnecting: it has already seen the end.
      if (lastId === END_ID) {
        res.status(204).end();
        return;
      }
      const session = await createSession(req, res, {
        keepAlive: settings.heartbeatMs ?? 15_000,
        retry: 1000,
        trustClientEventId: false,
      });
      const gone = new AbortController();
      session.once('disconnected', () => gone.abort());
      let sentPercent = /^\d+$/.test(lastId) ? Number(lastId) : -1;
      try {
        for (;;) {
          if (isTerminal(view)) {
            push(session, view, view.status, END_ID);
            break;
          }
          if (view.progress.percent > sentPercent) {
            sentPercent = view.progress.percent;
            push(session, view, 'progress', String(sentPercent));
          }
          const signal = await waiter.next(Date.now() + NO_DEADLINE_MS, gone.signal);
          if (signal.kind === 'aborted' || signal.kind === 'timeout') break;
          // Shutting down: end the stream; the client reconnects (to another instance)
          // with Last-Event-ID and carries on where it was.
          if (signal.kind === 'closing') break;
          if (signal.kind === 'progress') {
            view = { ...view, status: 'active', progress: signal.progress };
            continue;
          }
          const next = await jobs.get(id, access);
          if (!next) break;
          view = next;
        }
      } catch (err) {
        // The stream has started, so the error travels as an event rather than a status.
        const failure = toAppError(err);
        if (session.isConnected) session.push(failure.toJSON(), 'stream-error');
      } finally {
        res.end();
      }
    } finally {
      waiter.close();
    }
  });
  return router;
}

function push(session: Session, view: JobView, event: string, id: string): void {
  if (session.isConnected) session.push(view, event, id);
}
