/**
 * Cache hits write their job record once per (result, owner), not on every hit (issue 16),
 * against the real Redis: a repeat gets the same id and no write; another owner gets
 * another id; the record is written again once the refresh period has passed.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { JobRecordStore, RedisKeys } from '@argus/queue';
import { CacheHitRecords } from './cache-hit-records';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('CacheHitRecords (real Redis)', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
  const store = new JobRecordStore(redis, new RedisKeys(prefix), 60);
  const hit = {
    task: 'detect' as const,
    md5: 'a'.repeat(32),
    model: 'yolov8n',
    resultKey: `${prefix}:result:detect:x`,
    options: {},
    owner: 'key_1',
  };

  afterAll(async () => {
    const found = await redis.keys(`${prefix}:*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
  });

  it('writes the record of a repeated hit once, under one UUID-shaped id per owner', async () => {
    const hits = new CacheHitRecords(store, 60_000);
    const first = await hits.recordFor(hit);
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await store.get(first.id)).toEqual(first);

    // Deleting the record shows the repeat writes nothing: it is not there again.
    await store.delete(first.id);
    const repeat = await hits.recordFor(hit);
    expect(repeat.id).toBe(first.id);
    expect(await store.get(first.id)).toBeNull();

    const other = await hits.recordFor({ ...hit, owner: 'key_2' });
    expect(other.id).not.toBe(first.id);
    expect(await store.get(other.id)).toMatchObject({ owner: 'key_2', status: 'completed' });
  });

  it('writes the record again once the refresh period has passed', async () => {
    const hits = new CacheHitRecords(store, 0);
    const first = await hits.recordFor({
      ...hit,
      md5: 'b'.repeat(32),
      resultKey: `${prefix}:result:detect:y`,
    });
    await store.delete(first.id);
    const again = await hits.recordFor({
      ...hit,
      md5: 'b'.repeat(32),
      resultKey: `${prefix}:result:detect:y`,
    });
    expect(again.id).toBe(first.id);
    expect(await store.get(first.id)).toMatchObject({ id: first.id });
  });

  it('writes it again after Redis lost its data (a new epoch)', async () => {
    const epoch = { epoch: { id: 'e1', createdAt: 1 } };
    const hits = new CacheHitRecords(store, 60_000, epoch);
    const first = await hits.recordFor({ ...hit, resultKey: `${prefix}:result:detect:z` });
    await store.delete(first.id);
    epoch.epoch = { id: 'e2', createdAt: 2 };
    await hits.recordFor({ ...hit, resultKey: `${prefix}:result:detect:z` });
    expect(await store.get(first.id)).not.toBeNull();
  });
});
