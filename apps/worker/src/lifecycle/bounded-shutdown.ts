import type { Job, Worker } from 'bullmq';
import type { Logger } from '@argus/config';

/** Jobs a worker process holds right now, with the lock token each was taken with. */
export type HeldJobs = Map<string, { job: Pick<Job, 'id' | 'moveToWait'>; token: string }>;

/**
 * Stops taking jobs, gives the held ones `graceMs` to finish, then hands the rest back to
 * their queue (BullMQ `moveToWait` with the job's lock token: waiting at once, no stall
 * check delay, no attempt used) and closes without waiting for them. A decode bomb or a
 * 40 MP parse can no longer keep a stopping worker alive past its pod's
 * terminationGracePeriodSeconds, and another worker takes the jobs right away.
 */
export async function drainWithGrace(
  workers: readonly Pick<Worker, 'pause' | 'close'>[],
  held: HeldJobs,
  graceMs: number,
  log: Logger,
): Promise<{ handedBack: number }> {
  await Promise.all(workers.map((w) => w.pause(true)));
  const deadline = Date.now() + graceMs;
  while (held.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const left = [...held.values()];
  if (left.length > 0) {
    log.warn('shutdown grace period over: handing held jobs back to the queue', {
      graceMs,
      jobs: left.map(({ job }) => job.id),
    });
    await Promise.all(
      left.map(({ job, token }) =>
        job.moveToWait(token).catch((err: Error) =>
          // Its lock is gone (it just finished, or stalled): the stall check re-queues it.
          log.warn('could not hand a job back', { jobId: job.id, err: err.message }),
        ),
      ),
    );
  }
  await Promise.all(workers.map((w) => w.close(left.length > 0)));
  return { handedBack: left.length };
}
