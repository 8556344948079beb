import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/**
 * "Stop this running job at its next stage boundary": set by the gateway (DELETE
 * /v1/jobs/:id on an active job), checked by the worker between stages, cleared when the
 * job ends. The flag outlives a lost delete by its TTL at most.
 */
export class CancelFlags {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async request(jobId: string): Promise<void> {
    await this.redis.set(
      this.keys.cancelRequest(jobId),
      JSON.stringify({ at: Date.now() }),
      'EX',
      this.ttlSeconds,
    );
  }

  async isRequested(jobId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.cancelRequest(jobId))) === 1;
  }

  async clear(jobId: string): Promise<void> {
    await this.redis.del(this.keys.cancelRequest(jobId));
  }
}
