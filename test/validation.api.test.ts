/**
 * Every rejected request gets a JSON error with a stable code, before anything is queued;
 * images that pass the header check but cannot be decoded fail their job with a code.
 */
import sharp from 'sharp';
import { sample, startPlatform, type Platform } from './support/platform';

let platform: Platform;
const MAX_UPLOAD_BYTES = 400_000;
const MAX_PIXELS = 1_000_000;

beforeAll(async () => {
  platform = await startPlatform({
    workers: 1,
    env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), MAX_PIXELS: String(MAX_PIXELS) },
  });
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

async function jobTotal(): Promise<number> {
  const queue = platform.queue('detect');
  const counts = await queue.getJobCounts();
  await queue.close();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } })
    .png()
    .toBuffer();

describe('upload validation', () => {
  const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
    ['no file', () => platform.post('/v1/jobs', null, { task: 'detect' }), 400, 'missing_image'],
    [
      'not multipart',
      async () => {
        const res = await fetch(`${platform.url}/v1/jobs`, {
          method: 'POST',
          body: JSON.stringify({ task: 'detect' }),
          headers: { 'content-type': 'application/json' },
        });
        return { status: res.status, body: await res.json() };
      },
      400,
      'missing_image',
    ],
    [
      'empty file',
      () => platform.post('/v1/jobs', { bytes: Buffer.alloc(0), name: 'e.jpg' }, { task: 'detect' }),
      400,
      'missing_image',
    ],
    [
      'a text file named .jpg',
      () =>
        platform.post(
          '/v1/jobs',
          { bytes: Buffer.from('hello, this is not a photo'), name: 'photo.jpg', type: 'image/jpeg' },
          { task: 'detect' },
        ),
      415,
      'unsupported_media_type',
    ],
    [
      'a GIF',
      () =>
        platform.post(
          '/v1/jobs',
          { bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'), name: 'a.gif' },
          { task: 'detect' },
        ),
      415,
      'unsupported_media_type',
    ],
    [
      'over MAX_UPLOAD_BYTES',
      () => platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' }),
      413,
      'payload_too_large',
    ],
    [
      'over MAX_PIXELS (read from the header)',
      async () =>
        platform.post('/v1/jobs', { bytes: await png(2000, 1000), name: 'big.png' }, { task: 'detect' }),
      422,
      'image_too_large',
    ],
    [
      'JPEG magic followed by garbage',
      () =>
        platform.post(
          '/v1/jobs',
          {
            bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]),
            name: 'g.jpg',
          },
          { task: 'detect' },
        ),
      422,
      'invalid_image',
    ],
    [
      'confidence out of range',
      async () =>
        platform.post(
          '/v1/jobs',
          { bytes: await png(64, 64), name: 'a.png' },
          { task: 'detect', confidence: '2' },
        ),
      400,
      'invalid_option',
    ],
    [
      'non-numeric iou',
      async () =>
        platform.post(
          '/v1/jobs',
          { bytes: await png(64, 64), name: 'a.png' },
          { task: 'detect', iou: 'high' },
        ),
      400,
      'invalid_option',
    ],
    [
      'maxDetections 0',
      async () =>
        platform.post(
          '/v1/jobs',
          { bytes: await png(64, 64), name: 'a.png' },
          { task: 'detect', maxDetections: '0' },
        ),
      400,
      'invalid_option',
    ],
    [
      'unknown model',
      async () =>
        platform.post(
          '/v1/jobs',
          { bytes: await png(64, 64), name: 'a.png' },
          { task: 'detect', model: 'yolo-nope' },
        ),
      400,
      'invalid_option',
    ],
    [
      'unknown task',
      async () =>
        platform.post('/v1/jobs', { bytes: await png(64, 64), name: 'a.png' }, { task: 'classify' }),
      400,
      'invalid_option',
    ],
    [
      'missing task',
      async () => platform.post('/v1/jobs', { bytes: await png(64, 64), name: 'a.png' }, {}),
      400,
      'invalid_option',
    ],
    [
      'two files',
      async () => {
        const form = new FormData();
        form.append('task', 'detect');
        const bytes = new Uint8Array(await png(64, 64));
        form.append('image', new Blob([bytes]), 'a.png');
        form.append('image', new Blob([bytes]), 'b.png');
        const res = await fetch(`${platform.url}/v1/jobs`, { method: 'POST', body: form });
        return { status: res.status, body: await res.json() };
      },
      400,
      'invalid_request',
    ],
  ];

  it.each(cases)('%s → %i %s, nothing queued', async (_name, send, status, code) => {
    const before = await jobTotal();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.message.length).toBeGreaterThan(10);
    expect(await jobTotal()).toBe(before);
  });

  it('answers JSON 404 for an unknown route', async () => {
    const res = await platform.get('/v2/nothing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('images that only fail when decoded', () => {
  it('a truncated JPEG is accepted, then its job fails with invalid_image (no retries)', async () => {
    const small = await sharp(sample('zidane.jpg').bytes).resize(400).jpeg().toBuffer();
    const truncated = small.subarray(0, Math.floor(small.length / 2));
    const submit = await platform.post('/v1/jobs', { bytes: truncated, name: 't.jpg' }, { task: 'detect' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('invalid_image');
    expect(job.timings.attempts).toBe(1);
  });

  it('POST /detect reports the same failure synchronously as 422', async () => {
    const small = await sharp(sample('bus.jpg').bytes).resize(300).jpeg().toBuffer();
    const res = await platform.post(
      '/detect',
      { bytes: small.subarray(0, small.length - 600), name: 't.jpg' },
      {},
      'file',
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ success: false, error: { code: 'invalid_image' } });
  });

  it('accepts an image within both limits', async () => {
    const ok = await sharp(sample('zidane.jpg').bytes).resize(640).jpeg().toBuffer();
    const submit = await platform.post('/v1/jobs', { bytes: ok, name: 'z.jpg' }, { task: 'detect' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id);
    expect(job.status).toBe('completed');
    expect(job.result.image).toEqual({ width: 640, height: 360 });
  });
});
