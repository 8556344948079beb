import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/** What a snapshot holds at the least; `@argus/metrics` gives `metrics` its prom-client type. */
export interface StoredSnapshot {
  /** The process that pushed it (a worker id). */
  source: string;
  /** When it was taken (ms since the epoch). */
  pushedAt: number;
  metrics: unknown[];
}

/** Upper bound on snapshots read per scrape, so a runaway index cannot stall `/metrics`. */
export const MAX_SNAPSHOTS = 1000;

/**
 * Metric snapshots of the worker fleet in Redis: one key per process with a TTL (the
 * snapshot), and a sorted set of process ids scored by their last push (the index). An
 * expired key is the only liveness rule: a process that stops pushing vanishes from the
 * next scrape after its TTL, whoever reads.
 */
export class MetricsSnapshotStore<S extends StoredSnapshot = StoredSnapshot> {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  indexKey(): string {
    return this.keys.metricsSources();
  }

  snapshotKey(source: string): string {
    return this.keys.metricsSnapshot(source);
  }

  async push(snapshot: S, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.indexKey(), snapshot.pushedAt, snapshot.source)
      .set(this.snapshotKey(snapshot.source), JSON.stringify(snapshot), 'PX', Math.max(1, Math.round(ttlMs)))
      .exec();
  }

  async remove(source: string): Promise<void> {
    await this.redis.multi().zrem(this.indexKey(), source).del(this.snapshotKey(source)).exec();
  }

  /** Every live snapshot; index entries whose snapshot expired are pruned on the way. */
  async live(): Promise<S[]> {
    const sources = await this.redis.zrevrange(this.indexKey(), 0, MAX_SNAPSHOTS - 1);
    if (sources.length === 0) return [];
    const raw = await this.redis.mget(sources.map((s) => this.snapshotKey(s)));
    const gone = sources.filter((_, i) => raw[i] === null);
    if (gone.length) await this.redis.zrem(this.indexKey(), ...gone);
    return raw.flatMap((r) => {
      if (r === null) return [];
      try {
        const parsed = JSON.parse(r) as S;
        return Array.isArray(parsed.metrics) ? [parsed] : [];
      } catch {
        // A torn or foreign value: skip it rather than fail the whole scrape.
        return [];
      }
    });
  }
}
