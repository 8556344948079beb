/**
 * Issue 19 merged with issue 12 and 17: video jobs and live streams belong to the API key
 * that created them (another key gets 404, an admin key sees all), registering a stream
 * counts against the key's submit limit, and the upload bounds still hold on /v1/jobs,
 * which takes videos up to MAX_VIDEO_BYTES: an image stays under MAX_UPLOAD_BYTES, and an
 * upload larger than the whole budget is refused before its body is read. Real gateway and
 * Redis, no worker (jobs stay queued; streams stay registered), a real ffmpeg-made MP4.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import net from 'node:net';
import sharp from 'sharp';
import { ApiKeyStore, RedisKeys } from '@argus/queue';
import { startPlatform, type Platform } from './support/platform';
import { movingSquareVideo, tempDir } from './support/test-videos';
import { multipartBody } from './support/raw-http';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const dir = tempDir('video-isolation');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('video jobs and streams between API keys', () => {
  let platform: Platform;
  let a: string;
  let b: string;
  let admin: string;
  /** Fresh keys for the upload checks, so the submit limit above does not interfere. */
  let c: string;
  let d: string;
  let video: Buffer;

  beforeAll(async () => {
    video = fs.readFileSync(movingSquareVideo(dir, 1));
    platform = await startPlatform({
      workers: 0,
      env: {
        API_KEYS: 'bootstrap-key-0123456789',
        // One stream registration per key and minute, after a burst of 2.
        RATE_LIMIT_PER_MINUTE: '1',
        RATE_LIMIT_BURST: '2',
        DAILY_JOB_QUOTA: '0',
        MAX_UPLOAD_BYTES: String(100 * 1024),
        MAX_VIDEO_BYTES: String(8 * MiB),
        UPLOAD_BUDGET_BYTES: String(4 * MiB),
      },
      gatewayEnv: { STREAM_ALLOW_PRIVATE: 'true' },
    });
    const store = new ApiKeyStore(platform.redis, new RedisKeys(platform.prefix));
    a = (await store.create('tenant-a')).key;
    b = (await store.create('tenant-b')).key;
    admin = (await store.create('operator', { role: 'admin' })).key;
    c = (await store.create('tenant-c')).key;
    d = (await store.create('tenant-d')).key;
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const call = async (method: string, path: string, key: string | null, body?: FormData | string) => {
    const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    const res = await fetch(`${platform.url}${path}`, { method, body, headers });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };

  it('hides a video job and its artifacts from another key', async () => {
    const form = new FormData();
    form.append('task', 'detect');
    form.append('fps', '2');
    form.append('image', new Blob([new Uint8Array(video)], { type: 'video/mp4' }), 'clip.mp4');
    const submitted = await call('POST', '/v1/jobs', a, form);
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    const jobKeys = await platform.redis.keys(`${platform.prefix}:*`);
    expect(jobKeys.length).toBeGreaterThan(0);

    expect((await call('GET', `/v1/jobs/${id}`, b)).status).toBe(404);
    for (const artifact of ['annotated.mp4', 'contact-sheet.jpg']) {
      const other = await call('GET', `/v1/jobs/${id}/${artifact}`, b);
      expect(other.status).toBe(404);
      expect(other.body.error.code).toBe('not_found');
      // The owner and an admin see it exists: not ready yet (no worker runs here).
      expect((await call('GET', `/v1/jobs/${id}/${artifact}`, a)).body.error.code).toBe('not_ready');
      expect((await call('GET', `/v1/jobs/${id}/${artifact}`, admin)).body.error.code).toBe('not_ready');
    }
    expect((await call('DELETE', `/v1/jobs/${id}`, b)).status).toBe(404);
    expect((await call('DELETE', `/v1/jobs/${id}`, a)).status).toBe(200);
  });

  it('scopes streams to the key that registered them; an admin sees all; no key is 401', async () => {
    const spec = JSON.stringify({ url: 'http://127.0.0.1:9/cam.mjpg', fps: 1 });
    expect((await call('POST', '/v1/streams', null, spec)).status).toBe(401);
    const created = await call('POST', '/v1/streams', a, spec);
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    expect((await call('GET', `/v1/streams/${id}`, b)).status).toBe(404);
    expect((await call('GET', `/v1/streams/${id}/events`, b)).status).toBe(404);
    expect((await call('GET', `/v1/streams/${id}/frame`, b)).status).toBe(404);
    expect((await call('GET', `/v1/streams/${id}/deliveries`, b)).status).toBe(404);
    expect((await call('GET', `/v1/streams/${id}/deliveries`, a)).body).toMatchObject({
      streamId: id,
      deliveries: [],
    });
    expect((await call('GET', '/v1/streams', b)).body.streams).toEqual([]);
    expect((await call('DELETE', `/v1/streams/${id}`, b)).status).toBe(404);
    expect((await call('GET', `/v1/streams/${id}`, a)).body.id).toBe(id);
    const all = (await call('GET', '/v1/streams', admin)).body.streams.map((s: { id: string }) => s.id);
    expect(all).toContain(id);
    expect((await call('DELETE', `/v1/streams/${id}`, admin)).status).toBe(200);
    expect((await call('GET', `/v1/streams/${id}`, a)).status).toBe(404);
  });

  it('counts stream registrations against the key’s submit limit', async () => {
    const spec = JSON.stringify({ url: 'http://127.0.0.1:9/cam.mjpg', fps: 1 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call('POST', '/v1/streams', b, spec));
    expect(answers.map((r) => r.status)).toContain(429);
    expect(answers.find((r) => r.status === 429)!.body.error.code).toBe('rate_limited');
    for (const r of answers.filter((r) => r.status === 201))
      expect((await call('DELETE', `/v1/streams/${r.body.id}`, b)).status).toBe(200);
  });

  it('refuses an image over MAX_UPLOAD_BYTES with 413, though /v1/jobs admits videos up to MAX_VIDEO_BYTES', async () => {
    const noise = await sharp(crypto.randomBytes(200 * 200 * 3), {
      raw: { width: 200, height: 200, channels: 3 },
    })
      .png()
      .toBuffer();
    expect(noise.length).toBeGreaterThan(100 * 1024);
    const form = new FormData();
    form.append('task', 'detect');
    form.append('image', new Blob([new Uint8Array(noise)], { type: 'image/png' }), 'big.png');
    const refused = await call('POST', '/v1/jobs', c, form);
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('payload_too_large');
    // The synchronous image routes keep multer at MAX_UPLOAD_BYTES.
    const detectForm = new FormData();
    detectForm.append('file', new Blob([new Uint8Array(noise)], { type: 'image/png' }), 'big.png');
    expect((await call('POST', '/detect', c, detectForm)).status).toBe(413);
  });

  it('refuses an upload larger than the whole upload budget with 413 before reading it', async () => {
    // 6 MiB declared: under MAX_VIDEO_BYTES (8 MiB), over the 4 MiB budget, so it could
    // never be admitted. Only the headers and the first bytes are sent: the answer must
    // come without the body.
    const upload = multipartBody(crypto.randomBytes(6 * MiB), { task: 'detect' });
    const { port } = new URL(platform.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${d}\r\n` +
            `Content-Type: ${upload.contentType}\r\nContent-Length: ${upload.body.length}\r\n\r\n`,
        );
        socket.write(upload.body.subarray(0, 4096));
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer; got: ${text}`)));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.message).toMatch(/upload budget/);
    const metrics = await (
      await fetch(`${platform.url}/metrics`, { headers: { Authorization: `Bearer ${admin}` } })
    ).text();
    expect(metrics).toMatch(/argus_upload_budget_in_flight_bytes 0/);
  });
});
