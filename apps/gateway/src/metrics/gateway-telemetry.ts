import { PRIORITIES, TASKS, isErrorCode, type Task } from '@argus/contracts';
import type { ArgusQueue, MetricsSnapshotStore } from '@argus/queue';
import {
  QUEUE_STATES,
  Registry,
  collectDefaultMetrics,
  createGatewayMetrics,
  mergeMetrics,
  type CacheResult,
  type GatewayMetrics,
  type MetricsSnapshot,
} from '@argus/metrics';

export interface GatewayTelemetryOptions {
  /** Queues whose depth `/metrics` reads at scrape time. */
  queues?: Partial<Record<Task, ArgusQueue>>;
  /** Where workers leave their metric snapshots. */
  snapshots?: MetricsSnapshotStore<MetricsSnapshot>;
  /** prom-client's process and Node.js metrics (off for apps built only to list routes). */
  defaultMetrics?: boolean;
}

export interface RequestObservation {
  method: string;
  /** Route template (`/v1/jobs/:id`), `unmatched` for 404s without a route. */
  route: string;
  status: number;
  seconds: number;
  /** The `error.code` of an error answer. */
  code?: string;
}

const SUBMIT_SOURCE: Record<'queued' | 'cache' | 'coalesced', CacheResult> = {
  queued: 'miss',
  cache: 'hit',
  coalesced: 'coalesced',
};

/**
 * The gateway's metrics and its `/metrics` answer: its own registry, the queue gauges read
 * from BullMQ at scrape time, and the workers' snapshots from Redis, merged into one
 * exposition so one scrape target shows the whole fleet.
 */
export class GatewayTelemetry {
  readonly registry = new Registry();
  readonly metrics: GatewayMetrics;

  constructor(private readonly opts: GatewayTelemetryOptions) {
    this.metrics = createGatewayMetrics(this.registry, { tasks: TASKS });
    if (opts.defaultMetrics) {
      collectDefaultMetrics({ register: this.registry, labels: { service: 'gateway' } });
    }
  }

  request(o: RequestObservation): void {
    const labels = { method: o.method, route: o.route, status: String(o.status) };
    this.metrics.httpRequests.inc(labels);
    this.metrics.httpDuration.observe(labels, o.seconds);
    // Every POST route takes an upload; a 4xx there is an upload refused before queueing.
    if (o.method === 'POST' && o.status >= 400 && o.status < 500) {
      this.metrics.uploadsRejected.inc({ code: o.code && isErrorCode(o.code) ? o.code : 'unknown' });
    }
  }

  /** An upload read completely by the multipart parser. */
  uploaded(bytes: number): void {
    this.metrics.uploadSize.observe(bytes);
  }

  private readBudget?: () => number;

  /** Where `argus_upload_budget_in_flight_bytes` is read at scrape time. */
  watchUploadBudget(read: () => number): void {
    this.readBudget = read;
  }

  /** An upload refused by the in-flight upload budget. */
  budgetRefused(reason: 'content-length' | 'streaming'): void {
    this.metrics.uploadBudgetRefused.inc({ reason });
  }

  /** A connection closed at once by the server's connection cap. */
  connectionRefused(): void {
    this.metrics.connectionsRefused.inc();
  }

  /** The Redis epoch vanished or changed: Redis lost its data. */
  redisDataLost(): void {
    this.metrics.redisDataLoss.inc();
  }

  /** An accepted submission and how it was served. */
  submitted(task: Task, source: keyof typeof SUBMIT_SOURCE): void {
    this.metrics.cacheRequests.inc({ task, result: SUBMIT_SOURCE[source] });
    if (source === 'queued') this.metrics.jobsSubmitted.inc({ task });
  }

  /**
   * The Prometheus exposition of the gateway and every live worker. Redis reads are bounded
   * by the connection's command timeout (`REDIS_OP_TIMEOUT_MS`): with Redis away the answer still comes, without the queue gauges
   * and worker series, and with `argus_metrics_redis_up 0`.
   */
  async scrape(): Promise<{ contentType: string; text: string }> {
    const [snapshots, queuesRead] = await Promise.all([this.readSnapshots(), this.readQueues()]);
    if (this.opts.snapshots || this.opts.queues) {
      this.metrics.redisUp.set(snapshots !== null && queuesRead ? 1 : 0);
    }
    this.metrics.workerSnapshots.set(snapshots?.length ?? 0);
    if (this.readBudget) this.metrics.uploadBudgetInFlight.set(this.readBudget());
    const own = await this.registry.getMetricsAsJSON();
    const merged = mergeMetrics([own, ...(snapshots ?? []).map((s) => s.metrics)]);
    return { contentType: merged.contentType, text: await merged.metrics() };
  }

  private async readSnapshots(): Promise<MetricsSnapshot[] | null> {
    const store = this.opts.snapshots;
    if (!store) return [];
    try {
      return await store.live();
    } catch {
      return null;
    }
  }

  /** Counts by state and the oldest waiting job per queue: a few O(1) Redis calls each. */
  private async readQueues(): Promise<boolean> {
    const queues = Object.entries(this.opts.queues ?? {}) as [Task, ArgusQueue][];
    if (queues.length === 0) return true;
    const { queueJobs, queueOldestWaitingAge } = this.metrics;
    try {
      const stats = await Promise.all(
        queues.map(async ([task, queue]) => {
          const [counts, oldest] = await Promise.all([
            queue.getJobCounts(...QUEUE_STATES),
            oldestWaiting(queue),
          ]);
          return { task, counts, oldest };
        }),
      );
      const now = Date.now();
      for (const { task, counts, oldest } of stats) {
        for (const state of QUEUE_STATES) queueJobs.set({ queue: task, state }, counts[state] ?? 0);
        queueOldestWaitingAge.set({ queue: task }, oldest ? Math.max(0, (now - oldest) / 1000) : 0);
      }
      return true;
    } catch {
      // Stale depths would mislead an autoscaler: drop them until Redis answers again.
      queueJobs.reset();
      queueOldestWaitingAge.reset();
      return false;
    }
  }
}

/**
 * When the oldest job still waiting was added (ms), or undefined when none waits. Jobs
 * without a priority wait in a FIFO list; prioritized ones in a set ordered by priority,
 * then FIFO, so the oldest is the first of some priority level: with the per-level counts,
 * one range read per non-empty level finds each level's first job. A few O(log n) calls
 * per queue, whatever the backlog.
 */
export async function oldestWaiting(queue: ArgusQueue): Promise<number | undefined> {
  const levels = [...new Set(Object.values(PRIORITIES) as number[])].sort((a, b) => a - b);
  const [waiting, perLevel] = await Promise.all([queue.getWaiting(0, 0), queue.getCountsPerPriority(levels)]);
  const firsts: number[] = [];
  let rank = 0;
  for (const level of levels) {
    const count = perLevel[String(level)] ?? 0;
    if (count > 0) firsts.push(rank);
    rank += count;
  }
  const prioritized = await Promise.all(firsts.map((r) => queue.getPrioritized(r, r)));
  const stamps = [...waiting, ...prioritized.flat()].map((job) => job.timestamp).filter((t) => t > 0);
  return stamps.length ? Math.min(...stamps) : undefined;
}
