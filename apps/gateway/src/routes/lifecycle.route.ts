import type { Request, Response, Router } from 'express';
import { AppError } from '@argus/contracts';
import type { JobEvents } from '@argus/queue';
import type { JobService } from '../jobs/job.service';
import { strictRouter, type RouteGuards } from '../http/strict-router';
import { accessOf } from '../auth/access';

/** Page size of `GET /v1/jobs/:id/deliveries` (`limit`, at most 200). */
const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

export function pageOf(query: Request['query']): { cursor?: number; limit: number } {
  const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit);
  const cursor = query.cursor === undefined ? undefined : Number(query.cursor);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new AppError('invalid_option', `limit must be a whole number from 1 to ${MAX_PAGE}`);
  if (cursor !== undefined && (!Number.isInteger(cursor) || cursor < 0))
    throw new AppError('invalid_option', 'cursor must be the nextCursor of a previous page');
  return { cursor, limit };
}

/**
 * Cancel, and the webhook deliveries of a job (with dead letters, until the job's TTL ends).
 * Each route first finds the job as the caller may see it: another key's job is a 404.
 */
export function lifecycleRouter(deps: {
  jobs: JobService;
  jobEvents: JobEvents;
  guards: Pick<RouteGuards, 'redeliverLimit'>;
}): Router {
  const router = strictRouter();

  const requireJob = async (req: Request) => {
    const id = String(req.params.id);
    const view = await deps.jobs.get(id, accessOf(req));
    if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
    return view;
  };

  router.delete('/v1/jobs/:id', async (req: Request, res: Response) => {
    const { view, accepted } = await deps.jobs.cancel(String(req.params.id), accessOf(req));
    res.status(accepted ? 202 : 200).json(view);
  });

  router.get('/v1/jobs/:id/deliveries', async (req: Request, res: Response) => {
    const page = pageOf(req.query);
    const view = await requireJob(req);
    const listing = await deps.jobEvents.log.list(view.id, page);
    res.json({ jobId: view.id, ...listing });
  });

  router.post(
    '/v1/jobs/:id/deliveries/redeliver',
    async (req: Request, _res: Response, next) => {
      await requireJob(req); // a 404 for another key's job, before its bucket is touched
      next();
    },
    deps.guards.redeliverLimit,
    async (req: Request, res: Response) => {
      const view = await requireJob(req);
      const id = view.id;
      const callbacks = await deps.jobEvents.callbacksOf(id);
      if (!callbacks.some((c) => c.submissionId === id))
        throw new AppError('not_found', `job ${id} was submitted without a callbackUrl`);
      const { snapshot, deliveryIds } = await deps.jobEvents.redeliver(id, id);
      if (!snapshot)
        throw new AppError('not_ready', `job ${id} is ${view.status}; it is delivered when it ends`);
      res.status(202).json({ jobId: id, event: snapshot.event, deliveryIds });
    },
  );

  return router;
}
