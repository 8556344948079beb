/**
 * Human parsing through the real HTTP API and queue: async submit-and-poll with its PNG
 * artifacts, and the seed-compatible synchronous `POST /api/parse`.
 */
import path from 'node:path';
import fs from 'node:fs';
import sharp from 'sharp';
import { SHARED, sample, startPlatform, type Platform } from './support/platform';
import { readIndexedPng } from './support/indexed-png';
import { COCO_KEYPOINTS } from '@argus/vision';

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ workers: 1 });
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

type Box = { x1: number; y1: number; x2: number; y2: number };
/** Inside `outer` grown by `margin` of its size: a crop may claim pixels just past its detector box. */
const inside = (inner: Box, outer: Box, margin = 0.05) => {
  const mx = (outer.x2 - outer.x1) * margin;
  const my = (outer.y2 - outer.y1) * margin;
  return (
    inner.x1 >= outer.x1 - mx &&
    inner.y1 >= outer.y1 - my &&
    inner.x2 <= outer.x2 + mx &&
    inner.y2 <= outer.y2 + my
  );
};

async function png(route: string): Promise<Buffer> {
  const res = await fetch(`${platform.url}${route}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  return Buffer.from(await res.arrayBuffer());
}

describe('POST /v1/jobs task=parse', () => {
  it('parses the two people in zidane.jpg, each part inside its own person box, with PNG artifacts', async () => {
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'parse' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id, 60_000);
    expect(job.status).toBe('completed');
    const result = job.result;
    expect(result.numPersons).toBe(2);
    expect(result.persons).toHaveLength(2);
    expect(result.image).toEqual({ width: 1280, height: 720 });
    // The default parse model is the BodyPix + skin/clothes/hair fusion: hair and clothes by name.
    expect(result.model.id).toBe('bodypix-075-sch');
    for (const person of result.persons) {
      const labels = person.parts.map((p: { label: string }) => p.label);
      expect(labels).toContain('Face');
      expect(labels).toContain('Hair');
      expect(labels).toContain('UpperClothes');
      // Pose: the 17 COCO keypoints in order, inside the image, the nose inside the person's box.
      expect(person.keypoints.map((k: { name: string }) => k.name)).toEqual([...COCO_KEYPOINTS]);
      const nose = person.keypoints[0];
      expect(nose.score).toBeGreaterThan(0.5);
      expect(inside({ x1: nose.x, y1: nose.y, x2: nose.x, y2: nose.y }, person.box)).toBe(true);
      for (const part of person.parts) expect(part.pixels).toBeGreaterThan(0);
      for (const label of ['Face', 'UpperClothes']) {
        const part = person.parts.find((p: { label: string }) => p.label === label);
        expect(inside(part.box, person.box)).toBe(true);
      }
      expect(person.mask.size).toEqual([720, 1280]);
    }
    expect(result.legend[0]).toMatchObject({ id: 0, label: 'Background' });

    expect(job.links.overlay).toBe(`/v1/jobs/${job.id}/overlay.png`);
    const overlay = await sharp(await png(job.links.overlay)).metadata();
    expect([overlay.width, overlay.height]).toEqual([1280, 720]);

    const labels = readIndexedPng(await png(job.links.labels));
    expect([labels.width, labels.height]).toEqual([1280, 720]);
    const present = new Set(labels.pixels);
    const faceId = result.legend.find((l: { label: string }) => l.label === 'Face').id;
    expect(present.has(faceId)).toBe(true);
    expect(present.has(0)).toBe(true);

    expect(job.links.masks).toHaveLength(2);
    const mask = await sharp(await png(job.links.masks[1]))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(mask.info.width).toBe(1280);
    const set = mask.data.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
    expect(set).toBeGreaterThan(1000);

    const missing = await fetch(`${platform.url}/v1/jobs/${job.id}/persons/7/mask.png`);
    expect(missing.status).toBe(404);
  });

  it('pose=true draws the skeleton on overlay.png and is its own cache entry', async () => {
    const plain = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'parse' });
    const posed = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'parse', pose: 'true' });
    const [a, b] = await Promise.all([
      platform.waitForJob(plain.body.id, 60_000),
      platform.waitForJob(posed.body.id, 60_000),
    ]);
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    expect(b.id).not.toBe(a.id);
    expect(b.result.persons.map((p: { keypoints: unknown[] }) => p.keypoints)).toEqual(
      a.result.persons.map((p: { keypoints: unknown[] }) => p.keypoints),
    );
    const raw = async (link: string) =>
      sharp(await png(link))
        .raw()
        .toBuffer();
    const [pa, pb] = await Promise.all([raw(a.links.overlay), raw(b.links.overlay)]);
    let changed = 0;
    for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) changed++;
    // The skeleton covers a small but real part of the photo; everything else is the same overlay.
    expect(changed).toBeGreaterThan(1000);
    expect(changed).toBeLessThan(pa.length * 0.1);
  }, 120_000);

  it('a photo without people completes with 0 persons and an overlay equal to the input', async () => {
    const file = path.join(SHARED, 'data/coco128/images/train2017/000000000009.jpg');
    const bytes = fs.readFileSync(file);
    const submit = await platform.post(
      '/v1/jobs',
      { bytes, name: 'food.jpg', type: 'image/jpeg' },
      { task: 'parse' },
    );
    const job = await platform.waitForJob(submit.body.id, 60_000);
    expect(job.status).toBe('completed');
    expect(job.result.numPersons).toBe(0);
    expect(job.result.persons).toEqual([]);
    const overlay = await sharp(await png(job.links.overlay))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const input = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([overlay.info.width, overlay.info.height]).toEqual([input.info.width, input.info.height]);
    let maxDiff = 0;
    for (let i = 0; i < input.data.length; i += 97)
      maxDiff = Math.max(maxDiff, Math.abs(input.data[i] - overlay.data[i]));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('answers 409 not_ready for the images of a job that has not finished', async () => {
    const big = await sharp(sample('bus.jpg').bytes).resize(1600).jpeg().toBuffer();
    const submit = await platform.post(
      '/v1/jobs',
      { bytes: big, name: 'b.jpg' },
      { task: 'parse', alpha: '0.7' },
    );
    expect(submit.status).toBe(202);
    const res = await fetch(`${platform.url}/v1/jobs/${submit.body.id}/overlay.png`);
    const body = res.status === 409 ? ((await res.json()) as { error: { code: string } }) : null;
    // The job may finish very fast on an idle machine; both answers are correct, 5xx is not.
    if (res.status === 409) expect(body?.error.code).toBe('not_ready');
    else expect(res.status).toBe(200);
    await platform.waitForJob(submit.body.id, 60_000);
  });

  it('rejects bad parse options with invalid_option', async () => {
    const res = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'parse', alpha: '1.5' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_option');
    const wrongModel = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'parse',
      model: 'yolov8n',
    });
    expect(wrongModel.status).toBe(400);
    expect(wrongModel.body.error.code).toBe('invalid_option');
  });
});

describe('POST /api/parse (seed-compatible)', () => {
  it('answers {status, result_image (base64 PNG), num_persons, parts_detected}', async () => {
    const res = await platform.post('/api/parse', sample('bus.jpg'));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    expect(res.body.num_persons).toBeGreaterThanOrEqual(3);
    expect(res.body.parts_detected).toEqual(expect.arrayContaining(['Face', 'Hair', 'UpperClothes']));
    const image = Buffer.from(res.body.result_image, 'base64');
    const meta = await sharp(image).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([810, 1080]);
  });

  it('answers the same error codes as detection for bad input', async () => {
    const res = await platform.post('/api/parse', {
      bytes: Buffer.from('not an image at all'),
      name: 'x.jpg',
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ status: 'error', error: { code: 'unsupported_media_type' } });
  });
});
