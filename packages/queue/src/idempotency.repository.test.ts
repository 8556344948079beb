/**
 * Idempotency-Key claims against the real Redis (security review, findings 4 and 7): a claim
 * is a short lease, so a gateway that dies between claim and complete does not block the
 * key for the whole TTL; keys are scoped per API key.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from './keys';
import { IdempotencyStore } from './idempotency.repository';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('IdempotencyStore (real Redis)', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const store = new IdempotencyStore(redis, keys, { ttlSeconds: 86_400, leaseSeconds: 1 });

  afterAll(async () => {
    const found = await redis.keys(`${prefix}:*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
  });

  it('holds an unfinished claim for the lease only, then lets the key be claimed again', async () => {
    expect(await store.claim('key_a', 'order-7', 'fp1')).toEqual({ kind: 'new' });
    expect(await store.claim('key_a', 'order-7', 'fp1')).toEqual({ kind: 'in-progress' });
    const [entry] = await redis.keys(`${prefix}:idempotency:*`);
    expect(await redis.ttl(entry)).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await store.claim('key_a', 'order-7', 'fp1')).toEqual({ kind: 'new' });
  });

  it('keeps a completed claim for the full TTL', async () => {
    expect(await store.claim('key_a', 'order-8', 'fp')).toEqual({ kind: 'new' });
    await store.complete('key_a', 'order-8', 'fp', 'job-1');
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await store.claim('key_a', 'order-8', 'fp')).toEqual({ kind: 'replay', jobId: 'job-1' });
  });

  it('scopes keys to their owner: the same Idempotency-Key of two API keys never meets', async () => {
    expect(await store.claim('key_a', 'shared', 'fp-a')).toEqual({ kind: 'new' });
    expect(await store.claim('key_b', 'shared', 'fp-b')).toEqual({ kind: 'new' });
  });
});
