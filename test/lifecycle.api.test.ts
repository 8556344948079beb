/**
 * The job lifecycle through the real gateway, worker, BullMQ and Redis: cancel (queued,
 * running, finished), Idempotency-Key, priorities, and Redis staying flat over 1,000 jobs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { sample, sleep, startPlatform, type Platform } from './support/platform';
import { TestReceiver } from './support/receiver';
import { writeSlowDetectorModelsDir } from './support/slow-detector';

const SECRET = 'test-secret-0123456789abcdef';
const webhookEnv = { WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_BACKOFF_MS: '100' };

async function tinyPng(seed: number): Promise<Buffer> {
  return sharp({
    create: {
      width: 48,
      height: 32,
      channels: 3,
      background: { r: seed % 256, g: (seed >> 8) % 256, b: 77 },
    },
  })
    .png()
    .toBuffer();
}

describe('with no worker running (jobs stay queued)', () => {
  let platform: Platform;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    platform = await startPlatform({ workers: 0, env: { ...webhookEnv, WORKER_CONCURRENCY: '1' } });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
  });

  it('cancels a queued job at once, tells a canceled-callback, and refuses to cancel it twice', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'detect',
      callbackUrl: `${receiver.url}/canceled`,
      callbackEvents: 'completed,failed,canceled',
    });
    expect(submit.status).toBe(202);
    const del = await fetch(`${platform.url}/v1/jobs/${submit.body.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const body = await del.json();
    expect(body).toMatchObject({ id: submit.body.id, status: 'canceled', error: { code: 'canceled' } });

    const read = await platform.get(`/v1/jobs/${submit.body.id}`);
    expect(read.body.status).toBe('canceled');
    const again = await fetch(`${platform.url}/v1/jobs/${submit.body.id}`, { method: 'DELETE' });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('already_finished');

    // Nothing is left to run, and the upload is gone.
    const queue = platform.queue('detect');
    expect(await queue.getJob(submit.body.id)).toBeUndefined();
    // Callbacks go out from worker processes: start one and the event arrives.
    const worker = platform.startWorker({ ...webhookEnv });
    await platform.waitForWorkerReady(worker);
    const [req] = await receiver.waitFor('/canceled', 1);
    expect(req.body).toMatchObject({ event: 'canceled', job: { id: submit.body.id, status: 'canceled' } });
    // An identical upload is not deduplicated into the canceled job.
    const fresh = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
    expect(fresh.body.id).not.toBe(submit.body.id);
    expect((await platform.waitForJob(fresh.body.id)).status).toBe('completed');
    worker.child.kill('SIGTERM');
    await worker.exited;
  });

  it('answers 404 for cancelling an unknown job', async () => {
    const res = await fetch(`${platform.url}/v1/jobs/00000000-0000-4000-8000-000000000000`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(404);
  });

  it('runs high before normal before low priority', async () => {
    const ids: Record<string, string> = {};
    for (const [priority, seed] of [
      ['low', 1],
      ['normal', 2],
      ['high', 3],
    ] as const) {
      const res = await platform.post(
        '/v1/jobs',
        { bytes: await tinyPng(seed + 1000), name: 'p.png' },
        { task: 'detect', priority },
      );
      expect(res.status).toBe(202);
      ids[priority] = res.body.id;
    }
    const bad = await platform.post(
      '/v1/jobs',
      { bytes: await tinyPng(9), name: 'p.png' },
      { task: 'detect', priority: 'urgent' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_option');

    const worker = platform.startWorker({ WORKER_CONCURRENCY: '1' });
    await platform.waitForWorkerReady(worker);
    const queue = platform.queue('detect');
    const started: Record<string, number> = {};
    for (const [priority, id] of Object.entries(ids)) {
      await platform.waitForJob(id);
      started[priority] = (await queue.getJob(id))!.processedOn!;
    }
    expect(started.high).toBeLessThan(started.normal);
    expect(started.normal).toBeLessThan(started.low);
    worker.child.kill('SIGTERM');
    await worker.exited;
  });
});

describe('with a worker', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ workers: 1, env: webhookEnv });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses to cancel a finished job with 409 already_finished', async () => {
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'detect' });
    await platform.waitForJob(submit.body.id);
    const res = await fetch(`${platform.url}/v1/jobs/${submit.body.id}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('already_finished');
  });

  it('returns the original job for a repeated Idempotency-Key and refuses a different request under it', async () => {
    const send = (headers: Record<string, string>, fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('image', new Blob([new Uint8Array(sample('zidane.jpg').bytes)]), 'z.jpg');
      return fetch(`${platform.url}/v1/jobs`, { method: 'POST', body: form, headers });
    };
    const key = `key-${Date.now()}`;
    const first = await send({ 'Idempotency-Key': key }, { task: 'detect', confidence: '0.33' });
    const firstBody = await first.json();
    expect(first.status).toBe(202);
    const repeat = await send({ 'Idempotency-Key': key }, { task: 'detect', confidence: '0.33' });
    const repeatBody = await repeat.json();
    expect(repeatBody.id).toBe(firstBody.id);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');

    const conflict = await send({ 'Idempotency-Key': key }, { task: 'detect', confidence: '0.34' });
    expect(conflict.status).toBe(422);
    expect((await conflict.json()).error.code).toBe('idempotency_conflict');

    await platform.waitForJob(firstBody.id);
    const other = await send({ 'Idempotency-Key': `${key}-b` }, { task: 'detect', confidence: '0.33' });
    const otherBody = await other.json();
    expect(otherBody.id).not.toBe(firstBody.id);
    expect(otherBody.cached).toBe(true);
  });
});

describe('cancelling a running job', () => {
  let platform: Platform;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-slow-'));
    writeSlowDetectorModelsDir(dir);
    platform = await startPlatform({
      workers: 1,
      env: { MODELS_DIR: dir, WORKER_TASKS: 'detect', WORKER_CONCURRENCY: '1' },
    });
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops it at the next stage boundary: 202, then status canceled', async () => {
    // The slow model runs for seconds, so the DELETE lands while the job is active.
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'detect' });
    for (let i = 0; i < 200; i++) {
      if ((await platform.get(`/v1/jobs/${submit.body.id}`)).body.status === 'active') break;
      await sleep(25);
    }
    const res = await fetch(`${platform.url}/v1/jobs/${submit.body.id}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect((await res.json()).cancelRequested).toBe(true);
    const final = await platform.waitForJob(submit.body.id, 60_000);
    expect(final.status).toBe('canceled');
    expect(final.error.code).toBe('canceled');
    expect(final.result).toBeUndefined();
  });
});

describe('retention', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 1,
      env: {
        RESULT_TTL_SECONDS: '2',
        BLOB_TTL_SECONDS: '30',
        IDEMPOTENCY_TTL_SECONDS: '2',
        JANITOR_INTERVAL_MS: '500',
        WORKER_CONCURRENCY: '8',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  async function keyCount(): Promise<number> {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await platform.redis.scan(cursor, 'MATCH', `${platform.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  }

  async function settle(): Promise<number> {
    // TTLs of 2 s, a janitor every 0.5 s: wait until the count stops falling.
    let last = Infinity;
    for (let i = 0; i < 40; i++) {
      await sleep(500);
      const n = await keyCount();
      if (n === last && i > 6) return n;
      last = n;
    }
    return last;
  }

  it('returns Redis to its key count after 1,000 finished jobs', async () => {
    const warm = await platform.post(
      '/v1/jobs',
      { bytes: await tinyPng(1), name: 'w.png' },
      { task: 'detect' },
    );
    await platform.waitForJob(warm.body.id);
    const baseline = await settle();

    // Cut inside the entropy-coded data: the header still reads, decoding fails in the worker.
    const whole = await sharp(sample('zidane.jpg').bytes).resize(96).jpeg().toBuffer();
    const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
    const ids: string[] = [];
    let peak = 0;
    for (let batch = 0; batch < 50; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const n = batch * 20 + i;
          // Mostly images that fail in the worker (fast), some that complete; all distinct.
          const bytes =
            n % 10 === 0 ? await tinyPng(n + 5000) : Buffer.concat([truncated, Buffer.from(`#${n}`)]);
          return platform.post('/v1/jobs', { bytes, name: `${n}.img` }, { task: 'detect' });
        }),
      );
      for (const a of answers) {
        expect(a.status).toBe(202);
        ids.push(a.body.id);
      }
      if (batch % 5 === 4) peak = Math.max(peak, await keyCount());
    }
    const queue = platform.queue('detect');
    for (let i = 0; i < 600; i++) {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
      if (Object.values(counts).every((c) => c === 0)) break;
      await sleep(100);
    }
    // The jobs did leave keys while they ran (so the check below means something)…
    expect(peak).toBeGreaterThan(baseline + 50);
    // …and once their TTLs pass, Redis is back where it started.
    const after = await settle();
    expect(after).toBeLessThanOrEqual(baseline);
    expect(ids).toHaveLength(1000);
  }, 180_000);
});
