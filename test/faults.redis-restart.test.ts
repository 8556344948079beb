/**
 * Faults, for real and on loopback: Redis (with an append-only file) stopped and killed under load: every job accepted
 * before the restart ends completed or failed with a reason, and new jobs are taken after it.
 * Every job accepted before a fault must end `completed` (or `failed` with a reason): never
 * lost, never stuck. docs/reliability.md maps each promise to the test that proves it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep, startPlatform, type Platform } from './support/platform';
import { TestRedisServer } from './support/redis-server';
import {
  DETECT_ONLY,
  distinctImages,
  submit,
  pollThrough,
  expectFinishedWithReason,
  waitUntil,
} from './support/faults';

describe('Redis restarted during a run (append-only file)', () => {
  let redis: TestRedisServer;
  let platform: Platform;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-faults-aof-'));
    redis = await TestRedisServer.create({ aof: { dir } });
    platform = await startPlatform({
      workers: 1,
      env: {
        ...DETECT_ONLY,
        REDIS_URL: redis.url,
        REDIS_OP_TIMEOUT_MS: '1000',
        WORKER_HEARTBEAT_MS: '500',
        LOCK_DURATION_MS: '3000',
        STALLED_INTERVAL_MS: '1500',
      },
      // Batches of up to 4 jobs that each wait 1.5 s to fill: 12 jobs take at least 4.5 s,
      // so the outage always lands in the middle of the run.
      workerEnv: { WORKER_CONCURRENCY: '4', BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '1500' },
    });
  }, 90_000);

  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    await platform?.stop();
    await redis?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['SIGTERM (clean shutdown)', 'stop'],
    ['SIGKILL (appendfsync always)', 'kill'],
  ] as const)(
    '%s: 503 while down, recovers by itself, every accepted job finishes',
    async (_name, how) => {
      const images = await distinctImages(12, how === 'stop' ? 300 : 360);
      const ids: string[] = [];
      for (const image of images) ids.push(await submit(platform, image));

      // Down while jobs are still queued and running.
      const queue = platform.queue('detect');
      const before = await queue.getJobCounts('completed', 'active', 'prioritized', 'waiting');
      await queue.close();
      expect(before.active).toBeGreaterThan(0);
      expect(before.prioritized + before.waiting).toBeGreaterThan(0);
      await (how === 'stop' ? redis.stop() : redis.kill());
      const started = Date.now();
      const down = await platform.post('/v1/jobs', { bytes: images[0], name: 'd.jpg' }, { task: 'detect' });
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(5_000);
      const poll = await platform.get(`/v1/jobs/${ids[0]}`);
      expect(poll.status).toBe(503);
      expect(poll.body.error.code).toBe('unavailable');
      expect((await platform.get('/readyz')).status).toBe(503);
      // Longer than LOCK_DURATION_MS: the locks of running jobs expire during the outage.
      await sleep(4_000);

      await redis.start();
      const views = await Promise.all(ids.map((id) => pollThrough(platform.url, id, 90_000)));
      views.forEach(expectFinishedWithReason);
      // Nothing here is bad input: in practice every one completes.
      expect(views.map((v) => v.status)).toEqual(ids.map(() => 'completed'));

      // The gateway recovered by itself and the worker reconnected: a new job runs.
      await waitUntil(
        '/readyz ready again',
        30_000,
        async () => (await platform.get('/readyz')).status === 200,
      );
      const after = await submit(platform, (await distinctImages(1, how === 'stop' ? 290 : 350))[0]);
      expect((await platform.waitForJob(after, 60_000)).status).toBe('completed');
      for (const p of platform.processes) expect(p.child.exitCode).toBeNull();
    },
    150_000,
  );
});

// ---------------------------------------------------------------------------------------------
