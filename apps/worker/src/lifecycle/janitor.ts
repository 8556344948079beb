import type { Queue } from 'bullmq';
import type { Logger } from '@argus/config';
import type { UploadStore } from '@argus/queue';

/**
 * BullMQ's age-based removeOnComplete/removeOnFail only runs when another job finishes, so
 * the last jobs of a busy period would stay until traffic returns. The janitor removes
 * finished jobs older than the retention period on a timer, keeping Redis flat.
 */
export function startJanitor(
  queues: readonly Queue[],
  retentionMs: number,
  intervalMs: number,
  log: Logger,
  /** Also delete uploads whose job is gone or finished (UploadStore.sweepOrphans). */
  orphans?: { uploads: UploadStore; queues: readonly Queue[] },
): () => void {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      for (const queue of queues) {
        for (const state of ['completed', 'failed'] as const) {
          // Bounded batches so one sweep never holds Redis for long.
          for (let i = 0; i < 20; i++) {
            const removed = await queue.clean(retentionMs, 1000, state);
            if (removed.length < 1000) break;
          }
        }
      }
      if (orphans) {
        const removed = await orphans.uploads.sweepOrphans(orphans.queues);
        if (removed > 0) log.info('janitor removed orphaned upload blobs', { removed });
      }
    } catch (err) {
      log.warn('janitor sweep failed', { err: (err as Error).message });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
