import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What `registry.getMetricsAsJSON()` returns: the form snapshots travel in. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** One process's metrics, as pushed to Redis (stored by @argus/queue's MetricsSnapshotStore). */
export interface MetricsSnapshot {
  /** The process that pushed it (a worker id); also its `worker` label. */
  source: string;
  /** When it was taken (ms since the epoch). */
  pushedAt: number;
  metrics: MetricsJson;
}

/** Where snapshots go: the data layer's MetricsSnapshotStore (a structural type, so metrics needs no Redis). */
export interface SnapshotSink {
  push(snapshot: MetricsSnapshot, ttlMs: number): Promise<void>;
  remove(source: string): Promise<void>;
}
