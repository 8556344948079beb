/**
 * Argus on Redis Cluster: a local 3-master cluster (three `redis-server --cluster-enabled
 * yes`, joined with `redis-cli --cluster create`), the real gateway and worker started with
 * REDIS_URL in its cluster form, and the core cases of the integration suite: submit and
 * result, cache hit, five identical uploads as one job, parse with its overlay PNG, cancel,
 * and a webhook callback (a job's callback list and end marker are read in one MULTI).
 * BullMQ's scripts and our MULTIs would fail with CROSSSLOT if any of them touched keys in
 * two slots, so every case passing is the hash-tag check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Cluster } from 'ioredis';
import { SHARED, deleteKeys, sample, startPlatform, type Platform } from './support/platform';
import { TestReceiver } from './support/receiver';
import { TestRedisCluster } from './support/redis-cluster';

let cluster: TestRedisCluster;
let platform: Platform;
let receiver: TestReceiver;

beforeAll(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  cluster = await TestRedisCluster.create();
  platform = await startPlatform({
    workers: 1,
    env: {
      REDIS_URL: cluster.url,
      WEBHOOK_SECRET: 'cluster-test-secret-0123456789',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      METRICS_PUSH_INTERVAL_MS: '300',
    },
    workerEnv: { WORKER_MODELS: 'yolov8n,bodypix-075-sch' },
  });
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  await cluster?.stop();
  await receiver?.stop();
});

async function detectJobTotal(): Promise<number> {
  const queue = platform.queue('detect');
  try {
    return Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

describe('Argus on a 3-master Redis Cluster (REDIS_URL=redis+cluster://…)', () => {
  it('really is a cluster: three masters sharing the slots, and the gateway is ready', async () => {
    expect(cluster.url).toMatch(/^redis\+cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
    expect(platform.redis).toBeInstanceOf(Cluster);
    const info = await (platform.redis as Cluster).cluster('INFO');
    expect(info).toContain('cluster_state:ok');
    expect(info).toContain('cluster_size:3');
    const ready = await platform.get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('runs a detect job and serves its result', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id);
    expect(job.status).toBe('completed');
    expect(job.result.image).toEqual({ width: 810, height: 1080 });
    const dets = job.result.detections as { label: string; confidence: number }[];
    expect(dets.some((d) => d.label === 'bus' && d.confidence >= 0.5)).toBe(true);
    expect(dets.filter((d) => d.label === 'person' && d.confidence >= 0.5).length).toBeGreaterThanOrEqual(3);
  });

  it('answers a repeated upload from the cache without a new job', async () => {
    const first = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      confidence: '0.4',
    });
    const firstJob = await platform.waitForJob(first.body.id);
    const before = await detectJobTotal();
    const second = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      confidence: '0.4',
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'completed', cached: true, md5: firstJob.md5 });
    expect(second.body.result).toEqual(firstJob.result);
    expect(await detectJobTotal()).toBe(before);
  });

  it('runs five identical concurrent uploads as one job', async () => {
    const image = fs.readFileSync(path.join(SHARED, 'data/coco128/images/train2017/000000000025.jpg'));
    const before = await detectJobTotal();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        platform.post('/v1/jobs', { bytes: image, name: 'x.jpg', type: 'image/jpeg' }, { task: 'detect' }),
      ),
    );
    for (const a of answers) expect([200, 202]).toContain(a.status);
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBe(1);
    expect((await platform.waitForJob([...ids][0])).status).toBe('completed');
    expect(await detectJobTotal()).toBe(before + 1);
  });

  it('parses people and serves the overlay PNG', async () => {
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'parse' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id, 45_000);
    expect(job.status).toBe('completed');
    expect(job.result.persons.length).toBeGreaterThanOrEqual(2);
    const res = await fetch(`${platform.url}${job.links.overlay}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  }, 60_000);

  it('cancels a queued job', async () => {
    const queue = platform.queue('detect');
    try {
      await queue.pause();
      const submit = await platform.post('/v1/jobs', sample('bus.jpg'), {
        task: 'detect',
        confidence: '0.7',
      });
      expect(submit.status).toBe(202);
      const del = await fetch(`${platform.url}/v1/jobs/${submit.body.id}`, { method: 'DELETE' });
      expect(del.status).toBe(200);
      const body: any = await del.json();
      expect(body.status).toBe('canceled');
      expect(await queue.getJob(submit.body.id)).toBeUndefined();
      expect((await platform.get(`/v1/jobs/${submit.body.id}`)).body.status).toBe('canceled');
    } finally {
      await queue.resume();
      await queue.close();
    }
  });

  it('delivers a webhook callback when the job completes', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'detect',
      confidence: '0.35',
      callbackUrl: `${receiver.url}/done`,
    });
    expect(submit.status).toBe(202);
    const [req] = await receiver.waitFor('/done', 1);
    expect(req.body).toMatchObject({ event: 'completed', job: { id: submit.body.id, status: 'completed' } });
  });

  it('shows the workers on /metrics (snapshots pushed through the cluster)', async () => {
    const deadline = Date.now() + 15_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(`${platform.url}/metrics`)).text();
      if (/argus_inference_duration_seconds_count\{[^}]*worker="/.test(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toMatch(/argus_metrics_redis_up 1/);
    expect(text).toMatch(/argus_inference_duration_seconds_count\{[^}]*worker="/);
  });

  it('spreads the deployment’s keys over the masters, and cleans them up on every master', async () => {
    const perMaster = await Promise.all(
      (platform.redis as Cluster).nodes('master').map(async (node) => {
        const [, keys] = await node.scan('0', 'MATCH', `${platform.prefix}:*`, 'COUNT', 10_000);
        return keys.length;
      }),
    );
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    // deleteKeys (used by Platform.stop) scans each master: try it on a throwaway prefix.
    const prefix = `${platform.prefix}-cleanup`;
    await Promise.all(Array.from({ length: 30 }, (_, i) => platform.redis.set(`${prefix}:k${i}`, 'x')));
    await deleteKeys(platform.redis, `${prefix}:*`);
    const left = await Promise.all(
      Array.from({ length: 30 }, (_, i) => platform.redis.exists(`${prefix}:k${i}`)),
    );
    expect(left.reduce((a, b) => a + b, 0)).toBe(0);
  });
});
