import crypto from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisKeys } from './keys';
import { bullPrefix } from './queues';
import { UploadStore } from './upload-store.repository';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TTL = 21_600;

describe('UploadStore.sweepOrphans (real Redis, real BullMQ)', () => {
  let redis: Redis;
  let prefix: string;
  let queues: Queue[];

  beforeEach(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
    queues = ['detect', 'parse'].map(
      (t) => new Queue(t, { connection: redis, prefix: bullPrefix(prefix, t) }),
    );
  });
  afterEach(async () => {
    await Promise.all(queues.map((q) => q.obliterate({ force: true })));
    await Promise.all(queues.map((q) => q.close()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('deletes blobs of missing or finished jobs, keeps live and fresh ones', async () => {
    const keys = new RedisKeys(prefix);
    const live = await queues[1].add('parse', { blobKey: 'x' }, { jobId: 'live-job' });
    const done = await queues[0].add('detect', { blobKey: 'y' }, { jobId: 'done-job' });
    await redis.zadd(queues[0].toKey('completed'), Date.now(), String(done.id));
    await redis.lrem(queues[0].toKey('wait'), 0, String(done.id));
    const old = TTL - 600; // written ten minutes ago
    await redis.set(keys.blob('never-added'), 'bytes', 'EX', old);
    await redis.set(keys.blob(String(live.id)), 'bytes', 'EX', old);
    await redis.set(keys.blob(String(done.id)), 'bytes', 'EX', old);
    await redis.set(keys.blob('just-written'), 'bytes', 'EX', TTL); // its job may be being added

    const removed = await new UploadStore(redis, keys, TTL).sweepOrphans(queues);

    expect(removed).toBe(2);
    const left = (await redis.keys(keys.blob('*'))).sort();
    expect(left).toEqual([keys.blob('just-written'), keys.blob('live-job')].sort());
  });
});
