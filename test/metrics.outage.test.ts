/**
 * GET /metrics with Redis away: the answer comes within REDIS_OP_TIMEOUT_MS, without the
 * queue gauges and worker series (stale depths would mislead an autoscaler), with
 * `argus_metrics_redis_up 0`; everything returns once Redis does.
 */
import { sleep, startPlatform, type Platform } from './support/platform';
import { parseExposition, sampleValue, type Exposition } from './support/prometheus';
import { TestRedisServer } from './support/redis-server';

let redis: TestRedisServer;
let platform: Platform;

beforeAll(async () => {
  redis = await TestRedisServer.create();
  platform = await startPlatform({
    workers: 1,
    env: {
      REDIS_URL: redis.url,
      REDIS_OP_TIMEOUT_MS: '500',
      METRICS_PUSH_INTERVAL_MS: '300',
      WORKER_TASKS: 'detect',
      WORKER_MODELS: 'yolov8n',
    },
  });
}, 90_000);

afterAll(async () => {
  await redis?.start().catch(() => undefined);
  await platform?.stop();
  await redis?.kill();
});

async function scrape(): Promise<{ ms: number; status: number; e: Exposition }> {
  const started = Date.now();
  const res = await fetch(`${platform.url}/metrics`);
  const text = await res.text();
  return { ms: Date.now() - started, status: res.status, e: parseExposition(text) };
}

const has = (e: Exposition, name: string) => e.samples.some((s) => s.name === name);

describe('GET /metrics while Redis is away', () => {
  it('answers at once with the gateway series only, then recovers', async () => {
    let up = await scrape();
    for (let i = 0; i < 30 && !has(up.e, 'argus_worker_up'); i++) {
      await sleep(100);
      up = await scrape();
    }
    expect(sampleValue(up.e, 'argus_metrics_redis_up')).toBe(1);
    expect(has(up.e, 'argus_queue_jobs')).toBe(true);
    expect(has(up.e, 'argus_worker_up')).toBe(true);

    await redis.kill();
    for (let i = 0; i < 3; i++) {
      const down = await scrape();
      expect(down.status).toBe(200);
      // REDIS_OP_TIMEOUT_MS is 500: an answer, never a hang.
      expect(down.ms).toBeLessThan(2_500);
      expect(sampleValue(down.e, 'argus_metrics_redis_up')).toBe(0);
      expect(sampleValue(down.e, 'argus_metrics_worker_snapshots')).toBe(0);
      expect(has(down.e, 'argus_queue_jobs')).toBe(false);
      expect(has(down.e, 'argus_queue_oldest_waiting_age_seconds')).toBe(false);
      expect(has(down.e, 'argus_worker_up')).toBe(false);
      expect(has(down.e, 'http_requests_total')).toBe(true);
      expect(has(down.e, 'process_cpu_seconds_total')).toBe(true);
    }

    await redis.start();
    let back = await scrape();
    for (let i = 0; i < 100 && !(has(back.e, 'argus_worker_up') && has(back.e, 'argus_queue_jobs')); i++) {
      await sleep(100);
      back = await scrape();
    }
    expect(sampleValue(back.e, 'argus_metrics_redis_up')).toBe(1);
    expect(has(back.e, 'argus_queue_jobs')).toBe(true);
    // The worker's connection rode out the restart and it pushes again.
    expect(has(back.e, 'argus_worker_up')).toBe(true);
  });
});
