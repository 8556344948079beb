/**
 * The capped delivery log against the real Redis (security review, finding 5): it keeps the
 * newest entries, counts the rest, and lists a page of deliveries with their attempts.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { DeliveryLog, type DeliveryAttempt } from './delivery-log';
import { RedisKeys } from './keys';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('DeliveryLog (real Redis)', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
  const log = new DeliveryLog(redis, new RedisKeys(prefix), { maxEntries: 5, ttlSeconds: 60 });
  const attempt = (deliveryId: string, n: number): DeliveryAttempt => ({
    deliveryId,
    event: 'completed',
    attempt: n,
    at: new Date().toISOString(),
    statusCode: 500,
    durationMs: 1,
    error: null,
    response: null,
    outcome: 'retry',
  });

  afterAll(async () => {
    const found = await redis.keys(`${prefix}:*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
  });

  it('keeps the newest N deliveries and attempts, counts the dropped ones, and pages', async () => {
    const job = 'job-1';
    for (let i = 0; i < 20; i++) {
      const entry = { event: 'completed', url: 'https://r.example/h', createdAt: `t${i}`, redelivery: i > 0 };
      expect(await log.addDelivery(job, `dlv_${i}`, entry)).toBe(true);
      await log.addAttempt(job, attempt(`dlv_${i}`, 1));
    }
    // A repeated id (a job ended twice) adds nothing.
    expect(
      await log.addDelivery(job, 'dlv_19', {
        event: 'completed',
        url: 'x',
        createdAt: 'x',
        redelivery: false,
      }),
    ).toBe(false);

    const all = await log.list(job, { limit: 50 });
    expect(all.deliveries.map((d) => d.deliveryId)).toEqual([
      'dlv_15',
      'dlv_16',
      'dlv_17',
      'dlv_18',
      'dlv_19',
    ]);
    expect(all.deliveries.every((d) => d.attempts.length === 1 && d.status === 'retrying')).toBe(true);
    expect(all.dropped).toEqual({ deliveries: 15, attempts: 15 });
    expect(all.nextCursor).toBeUndefined();
    expect(await redis.hlen(`${prefix}:deliveries:{${job}}`)).toBe(5);
    expect(await redis.llen(`${prefix}:delivery-attempts:{${job}}`)).toBe(5);

    const first = await log.list(job, { limit: 2 });
    expect(first.deliveries.map((d) => d.deliveryId)).toEqual(['dlv_15', 'dlv_16']);
    const second = await log.list(job, { cursor: Number(first.nextCursor), limit: 2 });
    expect(second.deliveries.map((d) => d.deliveryId)).toEqual(['dlv_17', 'dlv_18']);
    const last = await log.list(job, { cursor: Number(second.nextCursor), limit: 2 });
    expect(last.deliveries.map((d) => d.deliveryId)).toEqual(['dlv_19']);
    expect(last.nextCursor).toBeUndefined();
  });

  it('lists a page of a 10,000-entry log with the attempts of each delivery', async () => {
    const big = new DeliveryLog(redis, new RedisKeys(prefix), { maxEntries: 10_000, ttlSeconds: 60 });
    const job = 'job-big';
    const pipeline = redis.pipeline();
    for (let i = 0; i < 10_000; i++) {
      pipeline.hset(
        `${prefix}:deliveries:{${job}}`,
        `d${i}`,
        JSON.stringify({ event: 'completed', url: 'u', createdAt: 't', redelivery: true }),
      );
      pipeline.rpush(`${prefix}:delivery-order:{${job}}`, `d${i}`);
      pipeline.rpush(`${prefix}:delivery-attempts:{${job}}`, JSON.stringify(attempt(`d${i}`, 1)));
    }
    await pipeline.exec();
    const page = await big.list(job, { limit: 200 });
    expect(page.deliveries).toHaveLength(200);
    expect(page.deliveries[199].attempts).toHaveLength(1);
    expect(page.nextCursor).toBe('200');
  });
});
