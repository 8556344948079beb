import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

export interface WorkerInfo {
  id: string;
  pid: number;
  host: string;
  tasks: string[];
  models: string[];
  /** Of `models`, those without a session yet (created by their first job). */
  modelsOnDemand?: string[];
  startedAt: number;
}

/**
 * Workers announce themselves with a heartbeat; readiness and the fleet view read it.
 * A heartbeat key rather than CLIENT LIST because managed Redis often disables CLIENT.
 */
export class WorkerRegistry {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async heartbeat(info: WorkerInfo, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.keys.workers(), Date.now(), info.id)
      .set(this.keys.worker(info.id), JSON.stringify(info), 'PX', ttlMs)
      .exec();
  }

  async remove(workerId: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.workers(), workerId).del(this.keys.worker(workerId)).exec();
  }

  /** Workers whose last heartbeat is newer than `maxAgeMs`; older entries are pruned. */
  async live(maxAgeMs: number): Promise<WorkerInfo[]> {
    const cutoff = Date.now() - maxAgeMs;
    await this.redis.zremrangebyscore(this.keys.workers(), '-inf', cutoff);
    const ids = await this.redis.zrangebyscore(this.keys.workers(), cutoff, '+inf');
    if (ids.length === 0) return [];
    const raw = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as WorkerInfo);
  }
}
