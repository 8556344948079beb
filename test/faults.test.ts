/**
 * Faults, for real and on loopback: a worker SIGKILLed with jobs in the middle of a batch, a
 * Redis (with an append-only file) stopped and killed under load, the gateway killed and
 * started again, and workers that refuse to start on a missing or corrupt model. Every job
 * accepted before a fault must end `completed` (or `failed` with a reason): never lost, never
 * stuck. docs/reliability.md maps each promise to the test here that proves it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  REPO_ROOT,
  sample,
  sleep,
  startPlatform,
  type Platform,
  type ProcessHandle,
} from './support/platform';
import { freePort, TestRedisServer } from './support/redis-server';
import { TestReceiver } from './support/receiver';

const SECRET = 'faults-secret-0123456789abcdef';
/** Webhook settings that let deliveries go to the test receiver on 127.0.0.1, retried quickly. */
const WEBHOOKS = {
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_BACKOFF_MS: '200',
  WEBHOOK_TIMEOUT_MS: '2000',
};
/** One small detector is enough to exercise the queue; it also keeps start-up short. */
const DETECT_ONLY = { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n' };

/** `count` JPEGs with the same scene and distinct bytes (distinct cache keys, no coalescing). */
async function distinctImages(count: number, width = 320): Promise<Buffer[]> {
  const base = sample('zidane.jpg').bytes;
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp(base)
        .resize(width + 2 * i)
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
}

async function submit(
  platform: Platform,
  image: Buffer,
  fields: Record<string, string> = {},
): Promise<string> {
  const res = await platform.post(
    '/v1/jobs',
    { bytes: image, name: 'f.jpg', type: 'image/jpeg' },
    { task: 'detect', ...fields },
  );
  if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * Polls a job through outages: network errors and 503 `unavailable` are waited out, like a
 * client with retries would. Resolves with the finished view.
 */
async function pollThrough(url: string, id: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/jobs/${id}`, { signal: AbortSignal.timeout(5_000) });
      const body: any = await res.json();
      if (res.status === 200 && ['completed', 'failed', 'canceled'].includes(body.status)) return body;
      last = res.status === 200 ? body.status : `${res.status} ${body?.error?.code}`;
      if (res.status !== 200 && body?.error?.code !== 'unavailable')
        throw new Error(`GET /v1/jobs/${id}: ${last}`);
    } catch (err) {
      if (/GET \/v1\/jobs/.test((err as Error).message)) throw err;
      last = (err as Error).message;
    }
    await sleep(150);
  }
  throw new Error(`job ${id} did not finish within ${timeoutMs} ms (last: ${last})`);
}

/** A finished job is either completed or failed with a real code, never "internal". */
function expectFinishedWithReason(view: any): void {
  expect(['completed', 'failed']).toContain(view.status);
  if (view.status === 'failed') {
    expect(view.error.code).not.toBe('internal');
    expect(view.error.message.length).toBeGreaterThan(5);
  }
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function killHard(handle: ProcessHandle): Promise<void> {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
  handle.child.kill('SIGKILL');
  await handle.exited;
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------

describe('a worker SIGKILLed in the middle of a batch', () => {
  let platform: Platform;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    // Short locks so stalled-job recovery happens within the test (defaults: 30 s).
    platform = await startPlatform({
      workers: 0,
      waitReady: false,
      env: { ...WEBHOOKS, ...DETECT_ONLY, LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000' },
    });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
  });

  it('hands its jobs to another worker, which completes them; each webhook keeps one delivery id', async () => {
    // Worker A holds up to 4 jobs in one partial batch for 10 s (batch of 8, 10 s delay), so
    // the kill lands while they are active and inside the batcher.
    const a = platform.startWorker(
      { WORKER_CONCURRENCY: '4', BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '10000' },
      'worker-a',
    );
    await platform.waitForWorkerReady(a);

    const images = await distinctImages(6);
    const ids: string[] = [];
    for (const [i, image] of images.entries()) {
      ids.push(await submit(platform, image, { callbackUrl: `${receiver.url}/kill/${i}` }));
    }
    const queue = platform.queue('detect');
    try {
      await waitUntil('4 jobs active on worker A', 20_000, async () => (await queue.getActiveCount()) === 4);
      const active = (await queue.getActive()).map((j) => String(j.id));
      expect(receiver.requests).toHaveLength(0);

      await killHard(a);
      expect(a.child.signalCode).toBe('SIGKILL');

      const b = platform.startWorker({}, 'worker-b');
      await platform.waitForWorkerReady(b);
      const views = await Promise.all(ids.map((id) => platform.waitForJob(id, 60_000)));
      expect(views.map((v) => v.status)).toEqual(ids.map(() => 'completed'));
      for (const view of views) expect(view.result.detections.length).toBeGreaterThan(0);

      // The jobs A held went through BullMQ's stalled-job recovery, then B ran them.
      for (const id of active) {
        const job = (await queue.getJob(id))!;
        expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
      }
      expect(b.output.join('')).toMatch(/job stalled; it will be retried/);

      // At least once, and every delivery of a job carries that job's one delivery id.
      for (const [i, id] of ids.entries()) {
        const got = await receiver.waitFor(`/kill/${i}`, 1);
        const deliveryIds = new Set(got.map((r) => r.headers['x-argus-delivery']));
        expect(deliveryIds.size).toBe(1);
        expect(got[0].body.job).toMatchObject({ id, status: 'completed' });
        const listed = (await platform.get(`/v1/jobs/${id}/deliveries`)).body.deliveries;
        expect(listed.map((d: any) => d.deliveryId)).toEqual([...deliveryIds]);
      }
      await killHard(b);
    } finally {
      await queue.close();
    }
  }, 120_000);

  it('fails a job that takes its worker down on every attempt, with a reason, instead of leaving it stuck', async () => {
    // A poison job: each worker that takes it dies (SIGKILL while it holds the job). After
    // maxStalledCount (2) recoveries, the third stall fails it and a `failed` webhook goes out.
    const [image] = await distinctImages(1, 272);
    const id = await submit(platform, image, { callbackUrl: `${receiver.url}/poison` });
    const queue = platform.queue('detect');
    try {
      for (let attempt = 1; attempt <= 3; attempt++) {
        const w = platform.startWorker(
          { WORKER_CONCURRENCY: '4', BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '10000' },
          `worker-poison-${attempt}`,
        );
        await platform.waitForWorkerReady(w);
        // Taken by this worker: the previous worker's stale `active` entry does not count, so
        // wait for this run to be counted as a started attempt.
        await waitUntil(`the job taken by worker ${attempt}`, 20_000, async () => {
          const job = await queue.getJob(id);
          return job?.attemptsStarted === attempt && (await job.getState()) === 'active';
        });
        await killHard(w);
      }
      const last = platform.startWorker({}, 'worker-after-poison');
      await platform.waitForWorkerReady(last);
      const view = await platform.waitForJob(id, 30_000);
      expect(view.status).toBe('failed');
      expect(view.error.message).toMatch(/stalled more than allowable limit/);
      const [req] = await receiver.waitFor('/poison', 1);
      expect(req.body).toMatchObject({ event: 'failed', job: { id, status: 'failed' } });
      await killHard(last);
    } finally {
      await queue.close();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------

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

describe('the gateway killed and started again during a run', () => {
  let platform: Platform;
  let receiver: TestReceiver;
  let port: number;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    port = await freePort();
    platform = await startPlatform({
      workers: 1,
      env: { ...WEBHOOKS, ...DETECT_ONLY },
      gatewayEnv: { PORT: String(port) },
      // Two jobs at a time, each batch waiting 1 s to fill: 10 jobs outlast the restart.
      workerEnv: { WORKER_CONCURRENCY: '2', BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '1000' },
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
  });

  it('keeps polling and webhooks going through the restart; nothing is lost', async () => {
    const url = platform.url;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const images = await distinctImages(10, 400);
    const ids: string[] = [];
    for (const [i, image] of images.entries()) {
      ids.push(await submit(platform, image, { callbackUrl: `${receiver.url}/gw/${i}` }));
    }
    // Clients keep polling the whole time, through the gap.
    const polled = Promise.all(ids.map((id) => pollThrough(url, id, 90_000)));

    const queue = platform.queue('detect');
    const before = await queue.getJobCounts('completed');
    await queue.close();
    expect(before.completed).toBeLessThan(ids.length - 2);

    const first = platform.gateway!;
    await killHard(first);
    const gap = await fetch(`${url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(gap).toBe('refused');
    await platform.startGateway({ PORT: String(port) });
    expect(platform.url).toBe(url);

    const views = await polled;
    expect(views.map((v) => v.status)).toEqual(ids.map(() => 'completed'));
    for (const [i, id] of ids.entries()) {
      const [req] = await receiver.waitFor(`/gw/${i}`, 1);
      expect(req.body.job).toMatchObject({ id, status: 'completed' });
    }
    // The new gateway takes new work too.
    const after = await submit(platform, (await distinctImages(1, 390))[0]);
    expect((await platform.waitForJob(after)).status).toBe('completed');
  }, 150_000);
});

// ---------------------------------------------------------------------------------------------

describe('a worker with a missing or corrupt model file', () => {
  let platform: Platform;
  let dir: string;
  const INT8 = { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n-int8' };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-faults-models-'));
    fs.copyFileSync(path.join(REPO_ROOT, 'models', 'manifest.json'), path.join(dir, 'manifest.json'));
    fs.cpSync(path.join(REPO_ROOT, 'models', 'labels'), path.join(dir, 'labels'), { recursive: true });
    // Heartbeats every 300 ms: a dead worker leaves /readyz within about a second.
    platform = await startPlatform({ workers: 0, waitReady: false, env: { WORKER_HEARTBEAT_MS: '300' } });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function expectNotReady(): Promise<void> {
    const ready = await platform.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', workers: 0, error: { code: 'unavailable' } });
  }

  async function refusesToStart(name: string): Promise<string> {
    const worker = platform.startWorker({ ...INT8, MODELS_DIR: dir }, name);
    const code = await within(worker.exited, 30_000, `${name} exiting`);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    return worker.output.join('');
  }

  it('/readyz is not ready while no worker is alive', async () => {
    await expectNotReady();
  });

  it('refuses to start when the file is missing, naming it and `npm run models`', async () => {
    const output = await refusesToStart('worker-missing');
    expect(output).toContain('argus worker failed to start');
    expect(output).toContain(path.join(dir, 'yolov8n_int8.onnx'));
    expect(output).toContain('is missing');
    expect(output).toContain('npm run models');
    await expectNotReady();
  });

  it('refuses to start when the bytes do not match the sha256, naming the file and `npm run models`', async () => {
    const bytes = fs.readFileSync(path.join(REPO_ROOT, 'models', 'yolov8n_int8.onnx'));
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(path.join(dir, 'yolov8n_int8.onnx'), bytes);
    const expected = crypto.createHash('sha256').update(bytes).digest('hex');
    const output = await refusesToStart('worker-corrupt');
    expect(output).toContain(path.join(dir, 'yolov8n_int8.onnx'));
    expect(output).toContain(`has sha256 ${expected}`);
    expect(output).toContain('npm run models');
    await expectNotReady();
  });

  it('is ready with a good worker and not ready again once it is killed', async () => {
    const good = platform.startWorker(INT8, 'worker-good');
    await platform.waitForWorkerReady(good);
    await waitUntil('/readyz ready', 10_000, async () => (await platform.get('/readyz')).status === 200);
    await killHard(good);
    await waitUntil('/readyz not ready', 10_000, async () => (await platform.get('/readyz')).status === 503);
    await expectNotReady();
  }, 60_000);
});
