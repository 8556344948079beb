import type { Registry } from 'prom-client';
import type { Logger } from '@argus/config';
import type { SnapshotSink } from './snapshot';

/** A snapshot lives this many push intervals: one or two lost pushes do not hide a worker. */
export const SNAPSHOT_TTL_INTERVALS = 3;

export interface SnapshotPusherOptions {
  registry: Registry;
  store: SnapshotSink;
  /** The process id written as the snapshot's source (the worker id). */
  source: string;
  /** How often to push (`METRICS_PUSH_INTERVAL_MS`). */
  intervalMs: number;
  log: Logger;
  /** Longest the final push on `stop()` may take, so shutdown never hangs on Redis. Default 1000. */
  stopTimeoutMs?: number;
}

export interface SnapshotPusher {
  /** Pushes now; resolves once written (or failed, which is logged, never thrown). */
  pushNow(): Promise<void>;
  /** Stops the timer and pushes a last snapshot, so the final jobs are counted. */
  stop(): Promise<void>;
}

/**
 * Writes the registry's metrics to Redis every `intervalMs` with a TTL of
 * `SNAPSHOT_TTL_INTERVALS` intervals. A push still in flight (Redis slow or away; worker
 * connections queue commands while reconnecting) skips the next tick instead of piling up.
 */
export function startSnapshotPusher(opts: SnapshotPusherOptions): SnapshotPusher {
  const ttlMs = opts.intervalMs * SNAPSHOT_TTL_INTERVALS;
  let inFlight: Promise<void> | undefined;
  let failing = false;

  const push = async () => {
    const metrics = await opts.registry.getMetricsAsJSON();
    await opts.store.push({ source: opts.source, pushedAt: Date.now(), metrics }, ttlMs);
  };
  const pushNow = (): Promise<void> => {
    inFlight ??= push()
      .then(() => {
        if (failing) opts.log.info('metrics snapshot push recovered');
        failing = false;
      })
      .catch((err: Error) => {
        // Log the first failure of a run, not one line per interval.
        if (!failing) opts.log.warn('metrics snapshot push failed', { err: err.message });
        failing = true;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const timer = setInterval(() => void pushNow(), opts.intervalMs);
  timer.unref();
  void pushNow();

  return {
    pushNow,
    async stop() {
      clearInterval(timer);
      let deadline: NodeJS.Timeout | undefined;
      let gaveUp = false;
      await Promise.race([
        (async () => {
          await inFlight;
          if (!gaveUp) await pushNow();
        })(),
        new Promise<void>((resolve) => {
          deadline = setTimeout(() => {
            gaveUp = true;
            resolve();
          }, opts.stopTimeoutMs ?? 1000);
        }),
      ]);
      clearTimeout(deadline);
    },
  };
}
