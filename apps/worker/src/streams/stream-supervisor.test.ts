/**
 * Which streams a worker takes, against the real Redis: only those of the tasks it serves
 * (a parse stream waits for a worker that parses), one per renewal.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { StreamCreateSchema } from '@argus/contracts';
import { createLogger } from '@argus/config';
import { RedisKeys, StreamStore } from '@argus/queue';
import { StreamSupervisor } from './stream-supervisor';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('StreamSupervisor (real Redis)', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const store = new StreamStore(redis, keys);

  afterAll(async () => {
    const found = await redis.keys(`${prefix}:*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
  });

  const log = createLogger({ name: 'worker', level: 'silent', json: false });
  const supervisor = (workerId: string, tasks: string[]) =>
    new StreamSupervisor(
      store,
      {
        store,
        // The source refuses connections (port 9), so no frame ever reaches inference.
        inference: {
          detect: () => Promise.reject(new Error('not reached')),
          parse: () => Promise.reject(new Error('not reached')),
        },
        ffmpeg: 'ffmpeg',
        eventsMax: 10,
        defaultModels: {},
        log,
      },
      { workerId, leaseMs: 60_000, maxStreams: 4, tasks },
      log,
    );
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('leaves a parse stream to a worker that parses', async () => {
    const id = await store.create(StreamCreateSchema.parse({ url: 'http://127.0.0.1:9/x', task: 'parse' }));
    const detectOnly = supervisor('w-detect', ['detect']);
    detectOnly.start();
    await settle();
    expect(detectOnly.held()).toEqual([]);
    expect(await redis.get(keys.streamLease(id))).toBeNull();
    await detectOnly.close();

    const parser = supervisor('w-parse', ['detect', 'parse']);
    parser.start();
    await settle();
    expect(parser.held()).toEqual([id]);
    expect(await redis.get(keys.streamLease(id))).toBe('w-parse');
    await parser.close();
    expect(await redis.get(keys.streamLease(id))).toBeNull();
    await store.delete(id);
  });
});
