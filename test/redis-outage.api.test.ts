/**
 * Redis away: the gateway answers 503 `unavailable` at once instead of hanging, stays
 * alive, and recovers by itself when Redis comes back.
 */
import { sample, sleep, startPlatform, type Platform } from './support/platform';
import { TestRedisServer } from './support/redis-server';

let redis: TestRedisServer;
let platform: Platform;

beforeAll(async () => {
  redis = await TestRedisServer.create();
  platform = await startPlatform({ workers: 1, env: { REDIS_URL: redis.url, REDIS_OP_TIMEOUT_MS: '1000' } });
}, 90_000);

afterAll(async () => {
  // Redis must be up for the platform to clean its keys (a failed test may leave it down).
  await redis?.start().catch(() => undefined);
  await platform?.stop();
  await redis?.kill();
});

describe('Redis outage', () => {
  it('serves normally, answers 503 quickly while Redis is down, then recovers', async () => {
    const ok = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'detect' });
    expect(ok.status).toBe(202);
    expect((await platform.waitForJob(ok.body.id)).status).toBe('completed');

    await redis.kill();
    const started = Date.now();
    const down = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
    const elapsed = Date.now() - started;
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('unavailable');
    // Bounded by REDIS_OP_TIMEOUT_MS (1 s) plus the upload itself: an answer, not a hang.
    expect(elapsed).toBeLessThan(5_000);

    const poll = await platform.get(`/v1/jobs/${ok.body.id}`);
    expect(poll.status).toBe(503);
    expect(poll.body.error.code).toBe('unavailable');

    const ready = await platform.get('/readyz');
    expect(ready.status).toBe(503);
    const health = await platform.get('/healthz');
    expect(health.status).toBe(200);

    const sync = await platform.post('/detect', sample('zidane.jpg'), {}, 'file');
    expect(sync.status).toBe(503);
    expect(sync.body).toMatchObject({ success: false, error: { code: 'unavailable' } });

    await redis.start();
    // The gateway and worker reconnect on their own; the worker re-announces itself.
    let recovered: { status: number; body: any } | undefined;
    for (let i = 0; i < 100; i++) {
      recovered = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
      if (recovered.status === 202) break;
      await sleep(200);
    }
    expect(recovered!.status).toBe(202);
    const job = await platform.waitForJob(recovered!.body.id, 60_000);
    expect(job.status).toBe('completed');
    expect(platform.gateway!.child.exitCode).toBeNull();
  });
});
