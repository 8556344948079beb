import { AppError } from '@argus/contracts';
import type { Access } from '../auth/access';
import type { JobService } from './job.service';
import type { JobView } from './job-view';
import type { JobWaiters } from './job-waiters';

/** The most a client may ask to wait, in seconds (`?wait=N`, `Prefer: wait=N`). */
export const MAX_WAIT_SECONDS = 60;

export function isTerminal(view: Pick<JobView, 'status'>): boolean {
  return view.status === 'completed' || view.status === 'failed' || view.status === 'canceled';
}

/** `?wait=N`: 0–60 seconds, anything else is a 400 `invalid_option`. */
export function waitSecondsFromQuery(raw: unknown): number {
  if (raw === undefined || raw === '') return 0;
  const n = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 0 && n <= MAX_WAIT_SECONDS)) {
    throw new AppError('invalid_option', `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return n;
}

/**
 * `Prefer: wait=N` (RFC 7240): the number of seconds, capped at 60, or undefined when the
 * header does not ask to wait. A preference is a hint, so a malformed one is ignored.
 */
export function preferWaitSeconds(header: string | undefined): number | undefined {
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d+)"?/i.exec(header ?? '');
  if (!match) return undefined;
  return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
}

/**
 * Answers with the job's view once it has ended, or after `seconds` with its view then.
 * The waiter is registered before the first read, so an end between the read and the wait
 * still wakes it. Null when the job does not exist.
 */
export async function waitForView(
  jobs: JobService,
  waiters: JobWaiters,
  id: string,
  access: Access,
  seconds: number,
  abort?: AbortSignal,
  known?: JobView,
): Promise<JobView | null> {
  if (known && (isTerminal(known) || seconds <= 0)) return known;
  const waiter = waiters.subscribe(id);
  try {
    let view = await jobs.get(id, access);
    const deadline = Date.now() + seconds * 1000;
    while (view && !isTerminal(view)) {
      const signal = await waiter.next(deadline, abort);
      if (signal.kind === 'progress') {
        view = { ...view, status: 'active', progress: signal.progress };
        continue;
      }
      if (signal.kind === 'aborted') return view;
      view = await jobs.get(id, access);
      if (signal.kind === 'timeout' || signal.kind === 'closing') return view;
    }
    return view;
  } finally {
    waiter.close();
  }
}
