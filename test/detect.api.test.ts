/**
 * Detection through the real HTTP API: gateway → Redis/BullMQ → worker (real ONNX model)
 * → Redis → client.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { boxColour } from '@argus/vision';
import { SHARED, sample, startPlatform, type Platform } from './support/platform';

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ workers: 1 });
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

type Det = { label: string; confidence: number; box: { x1: number; y1: number; x2: number; y2: number } };

function expectInside(dets: Det[], width: number, height: number): void {
  for (const d of dets) {
    expect(d.box.x1).toBeGreaterThanOrEqual(0);
    expect(d.box.y1).toBeGreaterThanOrEqual(0);
    expect(d.box.x2).toBeLessThanOrEqual(width);
    expect(d.box.y2).toBeLessThanOrEqual(height);
    expect(d.box.x2).toBeGreaterThan(d.box.x1);
    expect(d.box.y2).toBeGreaterThan(d.box.y1);
  }
}

async function jobTotal(): Promise<number> {
  const queue = platform.queue('detect');
  const counts = await queue.getJobCounts();
  await queue.close();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('POST /v1/jobs task=detect', () => {
  it('finds the bus and at least three people in bus.jpg, boxes inside the image', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
    expect(submit.status).toBe(202);
    expect(submit.body).toMatchObject({ task: 'detect', status: 'queued', cached: false });
    expect(submit.body.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(submit.body.links.self).toBe(`/v1/jobs/${submit.body.id}`);
    expect(submit.headers.get('location')).toBe(`/v1/jobs/${submit.body.id}`);

    const job = await platform.waitForJob(submit.body.id);
    expect(job.status).toBe('completed');
    expect(job.progress).toEqual({ stage: 'done', percent: 100 });
    const result = job.result;
    expect(result.image).toEqual({ width: 810, height: 1080 });
    expect(result.model.id).toBe('yolov8n');
    expect(result.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    const dets = result.detections as Det[];
    expect(result.count).toBe(dets.length);
    expect(dets.some((d) => d.label === 'bus' && d.confidence >= 0.5)).toBe(true);
    expect(dets.filter((d) => d.label === 'person' && d.confidence >= 0.5).length).toBeGreaterThanOrEqual(3);
    expectInside(dets, 810, 1080);
    for (const key of ['decodeMs', 'inferMs', 'postMs']) expect(result.timings[key]).toBeGreaterThan(0);
    expect(job.finishedAt).not.toBeNull();
    expect(job.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('finds the two people in zidane.jpg', async () => {
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      confidence: '0.5',
    });
    const job = await platform.waitForJob(submit.body.id);
    const persons = (job.result.detections as Det[]).filter((d) => d.label === 'person');
    expect(persons).toHaveLength(2);
    expectInside(job.result.detections, 1280, 720);
  });

  it('answers a repeated upload from the cache without a new job', async () => {
    const first = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      confidence: '0.3',
    });
    const firstJob = await platform.waitForJob(first.body.id);
    const before = await jobTotal();

    const second = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      confidence: '0.3',
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'completed', cached: true, md5: firstJob.md5 });
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.result).toEqual(firstJob.result);
    expect(await jobTotal()).toBe(before);

    // The cached submission is a job of its own that can be read back.
    const readBack = await platform.get(`/v1/jobs/${second.body.id}`);
    expect(readBack.status).toBe(200);
    expect(readBack.body).toMatchObject({ status: 'completed', cached: true });

    // Options that change the result are part of the key: another confidence misses.
    const other = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      confidence: '0.31',
    });
    expect(other.status).toBe(202);
    expect(other.body.cached).toBe(false);
    await platform.waitForJob(other.body.id);
  });

  it('runs five identical concurrent uploads as one job', async () => {
    const image = fs.readFileSync(path.join(SHARED, 'data/coco128/images/train2017/000000000009.jpg'));
    const before = await jobTotal();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        platform.post('/v1/jobs', { bytes: image, name: 'x.jpg', type: 'image/jpeg' }, { task: 'detect' }),
      ),
    );
    for (const a of answers) expect([200, 202]).toContain(a.status);
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBe(1);
    const job = await platform.waitForJob([...ids][0]);
    expect(job.status).toBe('completed');
    expect(await jobTotal()).toBe(before + 1);
  });

  it('runs the second, int8 model when asked by id', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'detect',
      model: 'yolov8n-int8',
    });
    const job = await platform.waitForJob(submit.body.id);
    expect(job.result.model.id).toBe('yolov8n-int8');
    expect(
      (job.result.detections as Det[]).filter((d) => d.label === 'person' && d.confidence >= 0.5).length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('keeps image bytes and results out of BullMQ job data and return values', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', iou: '0.5' });
    await platform.waitForJob(submit.body.id);
    const queue = platform.queue('detect');
    const job = await queue.getJob(submit.body.id);
    await queue.close();
    expect(job).toBeDefined();
    const dataJson = JSON.stringify(job!.data);
    const returnJson = JSON.stringify(job!.returnvalue);
    expect(dataJson.length).toBeLessThan(1000);
    expect(returnJson.length).toBeLessThan(500);
    expect(job!.returnvalue.resultKey).toBe(job!.data.resultKey);
    expect(returnJson).not.toContain('detections');
    // The upload was deleted once the job finished.
    expect(await platform.redis.exists(job!.data.blobKey)).toBe(0);
    const ttl = await platform.redis.ttl(job!.data.resultKey);
    expect(ttl).toBeGreaterThan(0);
  });

  it('draws labelled boxes into overlay.png when asked with overlay=true, and only then', async () => {
    const plain = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', confidence: '0.6' });
    const plainJob = await platform.waitForJob(plain.body.id);
    expect(plainJob.links.overlay).toBeUndefined();
    const none = await fetch(`${platform.url}/v1/jobs/${plainJob.id}/overlay.png`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain('overlay=true');

    const drawn = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'detect',
      confidence: '0.6',
      overlay: 'true',
    });
    expect(drawn.body.cached).toBe(false);
    const job = await platform.waitForJob(drawn.body.id);
    expect(job.result.detections).toEqual(plainJob.result.detections);
    expect(job.links.overlay).toBe(`/v1/jobs/${job.id}/overlay.png`);
    const res = await fetch(`${platform.url}${job.links.overlay}`);
    expect(res.status).toBe(200);
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([810, 1080]);
    // The bus's box is drawn in its class colour on its left edge.
    const bus = job.result.detections.find((d: Det) => d.label === 'bus');
    const x = Math.round(bus.box.x1);
    const y = Math.round((bus.box.y1 + bus.box.y2) / 2);
    const i = (y * info.width + x) * info.channels;
    const colour = boxColour(bus.classId);
    const rgb = [1, 3, 5].map((k) => parseInt(colour.slice(k, k + 2), 16));
    expect([data[i], data[i + 1], data[i + 2]]).toEqual(rgb);
  });

  it('returns 404 for an unknown job', async () => {
    const res = await platform.get('/v1/jobs/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('seed-compatible and DeepStack-compatible endpoints', () => {
  it('POST /detect answers {success, detections: [{class, confidence, bbox}], count}', async () => {
    const res = await platform.post('/detect', sample('zidane.jpg'), {}, 'file');
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.count).toBe(res.body.detections.length);
    const persons = res.body.detections.filter((d: { class: string }) => d.class === 'person');
    expect(persons.length).toBe(2);
    for (const d of res.body.detections) {
      expect(Object.keys(d).sort()).toEqual(['bbox', 'class', 'confidence']);
      expect(d.bbox).toHaveLength(4);
    }
  });

  it('POST /detect without a file answers success:false with missing_image', async () => {
    const res = await platform.post('/detect', null, { foo: 'bar' }, 'file');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'missing_image' } });
  });

  it('POST /v1/vision/detection answers DeepStack predictions with integer corners', async () => {
    const res = await platform.post('/v1/vision/detection', sample('bus.jpg'), { min_confidence: '0.6' });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.predictions.length).toBeGreaterThanOrEqual(4);
    for (const p of res.body.predictions) {
      expect(p.confidence).toBeGreaterThanOrEqual(0.6);
      for (const k of ['x_min', 'y_min', 'x_max', 'y_max']) expect(Number.isInteger(p[k])).toBe(true);
      expect(typeof p.label).toBe('string');
    }
    expect(res.body.predictions.map((p: { label: string }) => p.label)).toContain('bus');
  });
});
