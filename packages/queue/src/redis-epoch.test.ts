import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisEpoch } from './redis-epoch';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisEpoch (real Redis)', () => {
  let redis: Redis;
  let key: string;

  beforeEach(() => {
    redis = new Redis(REDIS_URL);
    key = `argus-test-${crypto.randomBytes(4).toString('hex')}:epoch`;
  });
  afterEach(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('shares one epoch between processes and notices when Redis loses it', async () => {
    const losses: string[] = [];
    let release!: () => void;
    const reestablished = new Promise<void>((r) => (release = r));
    const gateway = new RedisEpoch(redis, {
      key,
      checkIntervalMs: 1000,
      onLoss: ({ reason }) => losses.push(reason),
      reestablish: () => reestablished,
    });
    const worker = new RedisEpoch(redis, { key, checkIntervalMs: 1000, onLoss: () => undefined });
    const first = await gateway.establish();
    expect((await worker.establish()).id).toBe(first.id);
    expect(gateway.ready).toBe(true);

    await gateway.check();
    expect(losses).toEqual([]);

    await redis.del(key); // what a restart without persistence does to every key
    const checking = gateway.check();
    await new Promise((r) => setTimeout(r, 50));
    expect(losses).toEqual(['the epoch key is gone']);
    expect(gateway.ready).toBe(false); // not ready until its state is back
    release();
    await checking;
    expect(gateway.ready).toBe(true);
    const second = gateway.epoch!;
    expect(second.id).not.toBe(first.id);
    expect(second.createdAt).toBeGreaterThanOrEqual(first.createdAt);

    // A process that looks later finds the new epoch, not a gap, and adopts it.
    let workerSaw = '';
    const late = new RedisEpoch(redis, {
      key,
      checkIntervalMs: 1000,
      onLoss: ({ reason }) => (workerSaw = reason),
    });
    await late.establish();
    expect(late.epoch!.id).toBe(second.id);
    await worker.check();
    expect(worker.epoch!.id).toBe(second.id);
    expect(worker.ready).toBe(true);
    expect(workerSaw).toBe('');
  });
});
