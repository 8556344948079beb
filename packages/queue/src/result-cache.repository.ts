import type { RedisKeys, ResultKeyInput } from './keys';
import type { RedisClient } from './redis-connection';

/**
 * The result cache, which is also where results live: the worker writes a job's result
 * JSON under its result key (task, model, options, MD5) and its PNG artifacts beside it;
 * the gateway answers repeated uploads from it and reads results for job views.
 */
export class ResultCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  keyFor(input: ResultKeyInput): string {
    return this.keys.result(input);
  }

  /** The stored result JSON as text (null when absent or expired): a cache hit needs no parse. */
  async getRaw(resultKey: string): Promise<string | null> {
    return this.redis.get(resultKey);
  }

  async get<T = unknown>(resultKey: string): Promise<T | null> {
    const raw = await this.redis.get(resultKey);
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  async has(resultKey: string): Promise<boolean> {
    return (await this.redis.exists(resultKey)) === 1;
  }

  /** Written last, after the artifacts: a cache hit always finds them. */
  async put(resultKey: string, result: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(resultKey, JSON.stringify(result), 'EX', ttlSeconds);
  }

  async artifact(resultKey: string, name: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.keys.artifact(resultKey, name));
  }

  async putArtifact(resultKey: string, name: string, bytes: Uint8Array, ttlSeconds: number): Promise<void> {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    await this.redis.set(this.keys.artifact(resultKey, name), buf, 'EX', ttlSeconds);
  }
}
