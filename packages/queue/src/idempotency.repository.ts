import crypto from 'node:crypto';
import { AppError } from '@argus/contracts';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

export type IdempotencyClaim = { kind: 'new' } | { kind: 'replay'; jobId: string } | { kind: 'in-progress' };

interface Entry {
  fingerprint: string;
  jobId: string | null;
}

/**
 * `Idempotency-Key`: the first request with a key claims it (SET NX); a repeat with the
 * same request gets the original job back; the same key with a different request is a
 * client bug (422 idempotency_conflict). Keys are stored hashed, per owner (API key id), so
 * two clients' "order-1" never meet. An unfinished claim is a short lease (a gateway that
 * dies mid-request frees the key within it); a completed one lasts the full TTL.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly times: { ttlSeconds: number; leaseSeconds: number },
  ) {}

  static validateKey(raw: string): string {
    if (!/^[\x21-\x7e]{1,255}$/.test(raw)) {
      throw new AppError('invalid_request', 'Idempotency-Key must be 1–255 visible ASCII characters');
    }
    return raw;
  }

  private key(owner: string, idempotencyKey: string): string {
    const hash = crypto.createHash('sha256').update(`${owner}\0${idempotencyKey}`).digest('hex');
    return this.keys.idempotency(hash);
  }

  async claim(owner: string, idempotencyKey: string, fingerprint: string): Promise<IdempotencyClaim> {
    const key = this.key(owner, idempotencyKey);
    const fresh: Entry = { fingerprint, jobId: null };
    const won = await this.redis.set(key, JSON.stringify(fresh), 'EX', this.times.leaseSeconds, 'NX');
    if (won === 'OK') return { kind: 'new' };
    const raw = await this.redis.get(key);
    if (!raw) return this.claim(owner, idempotencyKey, fingerprint);
    const entry = JSON.parse(raw) as Entry;
    if (entry.fingerprint !== fingerprint) {
      throw new AppError(
        'idempotency_conflict',
        'this Idempotency-Key was already used for a different request (another image, task or options)',
      );
    }
    return entry.jobId ? { kind: 'replay', jobId: entry.jobId } : { kind: 'in-progress' };
  }

  async complete(owner: string, idempotencyKey: string, fingerprint: string, jobId: string): Promise<void> {
    const entry: Entry = { fingerprint, jobId };
    await this.redis.set(this.key(owner, idempotencyKey), JSON.stringify(entry), 'EX', this.times.ttlSeconds);
  }

  /** A submission that failed (4xx/5xx) releases its key, so the client can retry with it. */
  async release(owner: string, idempotencyKey: string, fingerprint: string): Promise<void> {
    const key = this.key(owner, idempotencyKey);
    const raw = await this.redis.get(key);
    if (raw && (JSON.parse(raw) as Entry).fingerprint === fingerprint) await this.redis.del(key);
  }
}

/** What makes two submissions "the same request": the bytes, the task and every field. */
export function requestFingerprint(task: string, md5: string, fields: Record<string, unknown>): string {
  const sorted = Object.keys(fields)
    .sort()
    .map((k) => [k, fields[k]]);
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([task, md5, sorted]))
    .digest('hex');
}
