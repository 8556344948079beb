import type { RedisClient } from './redis-connection';

/** Binary values (uploads, PNGs) under their own keys with a TTL, never in job data. */
export class BlobStore {
  constructor(private readonly redis: RedisClient) {}

  async put(key: string, bytes: Buffer, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, bytes, 'EX', ttlSeconds);
  }

  async get(key: string): Promise<Buffer | null> {
    return this.redis.getBuffer(key);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.redis.exists(key)) === 1;
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  async putJson(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
  }

  async getJson<T>(key: string): Promise<T | null> {
    const raw = await this.redis.get(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  }
}
