/**
 * Live streams through the real platform: a loopback MJPEG camera (a real HTTP server
 * looping JPEG frames cut by ffmpeg from a pan across zidane.jpg), two real workers holding
 * streams under leases, ffmpeg reading the camera, YOLOv8n, tracked boxes as Server-Sent
 * Events. The camera is restarted and a worker is SIGKILLed under a live stream.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkStreamUrl } from '../apps/gateway/src/streams/stream-url-check';
import { MjpegServer } from './support/mjpeg-server';
import { SAMPLES, sleep, startPlatform, type Platform, type ProcessHandle } from './support/platform';
import { panningVideo, tempDir } from './support/test-videos';

const dir = tempDir('streams');
const TASKS = { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n' };
let platform: Platform;
let camera: MjpegServer;
const workers: ProcessHandle[] = [];

beforeAll(async () => {
  const pan = panningVideo(dir, path.join(SAMPLES, 'zidane.jpg'), {
    seconds: 8,
    width: 960,
    height: 720,
    pxPerSec: 40,
  });
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    pan,
    '-vf',
    'fps=5,scale=480:-2',
    '-q:v',
    '4',
    path.join(dir, 'f%03d.jpg'),
  ]);
  const frames = fs
    .readdirSync(dir)
    .filter((f) => /^f\d+\.jpg$/.test(f))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f)));
  camera = new MjpegServer(frames, 10);
  await camera.start();
  platform = await startPlatform({
    workers: 0,
    waitReady: false,
    // Host labels put the pid in worker ids, so a test can tell which process holds a stream.
    env: { ...TASKS, STREAM_LEASE_MS: '1500', METRICS_HOST_LABELS: 'true', METRICS_PUSH_INTERVAL_MS: '300' },
    gatewayEnv: { STREAM_ALLOW_PRIVATE: 'true' },
  });
  for (const name of ['worker-a', 'worker-b']) workers.push(platform.startWorker({}, name));
  await Promise.all(workers.map((w) => platform.waitForWorkerReady(w, 60_000)));
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await camera?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function json(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${platform.url}${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms\n${platform.logs().slice(-4000)}`);
    await sleep(100);
  }
}

/** Reads `count` frame events from the SSE endpoint. */
async function frameEvents(id: string, count: number): Promise<any[]> {
  const controller = new AbortController();
  const res = await fetch(`${platform.url}/v1/streams/${id}/events`, { signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const decoder = new TextDecoder();
  const events: any[] = [];
  let buffer = '';
  const reader = res.body!.getReader();
  const timer = setTimeout(() => controller.abort(), 60_000);
  try {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = /^data: (.*)$/m.exec(block);
        if (/^event: frame$/m.test(block) && data) events.push(JSON.parse(data[1]));
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

/** The gateway's /metrics samples of `name` for stream `id` (any worker). */
async function streamSamples(name: string, id: string): Promise<number[]> {
  const text = await (await fetch(`${platform.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(`stream="${id}"`))
    .map((l) => Number(l.split(' ').pop()));
}

/** ffmpeg processes reading this test's camera. */
function cameraReaders(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('ffmpeg') && l.includes(camera.url));
}

describe('stream URLs', () => {
  it('pass the webhooks address guard: loopback and metadata refused unless allowed', async () => {
    const deny = { allowPrivate: false, allowedHosts: [] };
    await expect(checkStreamUrl('rtsp://127.0.0.1:8554/cam', deny)).rejects.toMatchObject({
      code: 'invalid_option',
    });
    await expect(checkStreamUrl('http://169.254.169.254/latest', deny)).rejects.toThrow(
      /link-local|reserved/,
    );
    await expect(checkStreamUrl('file:///etc/passwd', deny)).rejects.toThrow(/rtsp, rtsps, http or https/);
    await expect(
      checkStreamUrl('rtsp://127.0.0.1:8554/cam', { allowPrivate: true, allowedHosts: [] }),
    ).resolves.toBeInstanceOf(URL);
    await expect(
      checkStreamUrl('rtsp://127.0.0.1/cam', { allowPrivate: false, allowedHosts: ['127.0.0.1'] }),
    ).resolves.toBeInstanceOf(URL);
  });
});

describe('POST /v1/streams with a live MJPEG camera', () => {
  let id: string;

  it('goes live and sends tracked boxes as events; the two people keep their ids', async () => {
    const created = await json('POST', '/v1/streams', {
      url: camera.url,
      fps: 4,
      options: { confidence: 0.3 },
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    expect(created.body).toMatchObject({
      url: camera.url,
      task: 'detect',
      fps: 4,
      links: { events: `/v1/streams/${id}/events` },
    });
    const events = await frameEvents(id, 6);
    expect(events).toHaveLength(6);
    for (const e of events) {
      expect(e).toMatchObject({ width: 480, height: 360 });
      const people = e.detections.filter((d: any) => d.label === 'person' && d.confidence > 0.6);
      expect(people.length).toBeGreaterThanOrEqual(2);
    }
    const ids = new Set(
      events.flatMap((e) =>
        e.detections
          .filter((d: any) => d.label === 'person' && d.confidence > 0.7)
          .map((d: any) => d.trackId),
      ),
    );
    expect(ids.size).toBeLessThanOrEqual(3);
    const view = (await json('GET', `/v1/streams/${id}`)).body;
    expect(view.state).toBe('live');
    expect(view.metrics.framesProcessed).toBeGreaterThanOrEqual(6);
    expect(view.worker).toMatch(/-\d+-/);
    expect((await json('GET', '/v1/streams')).body.streams.map((s: any) => s.id)).toEqual([id]);
    // The holding worker's per-stream series reach the gateway's /metrics (snapshot push).
    await until(
      'stream series',
      async () => (await streamSamples('argus_stream_frames_processed_total', id))[0] >= 6,
    );
    expect((await streamSamples('argus_stream_frames_in_total', id))[0]).toBeGreaterThanOrEqual(6);
    expect((await streamSamples('argus_stream_input_fps', id))[0]).toBeGreaterThan(0);
    expect((await streamSamples('argus_stream_processed_fps', id))[0]).toBeGreaterThan(0);
    expect((await streamSamples('argus_stream_lag_seconds', id))[0]).toBeGreaterThan(0);
    expect(await streamSamples('argus_stream_frames_dropped_total', id)).toHaveLength(1);
  }, 120_000);

  it('reconnects when the camera restarts', async () => {
    const before = (await json('GET', `/v1/streams/${id}`)).body.metrics;
    await camera.stop();
    await until(
      'reconnecting',
      async () => (await json('GET', `/v1/streams/${id}`)).body.state === 'reconnecting',
    );
    await camera.start();
    const view = await until('live again', async () => {
      const v = (await json('GET', `/v1/streams/${id}`)).body;
      return v.state === 'live' && v.metrics.framesProcessed > before.framesProcessed + 2 ? v : undefined;
    });
    expect(view.metrics.reconnects).toBeGreaterThan(before.reconnects);
    await until(
      'reconnects counted',
      async () => (await streamSamples('argus_stream_reconnects_total', id))[0] >= 1,
    );
  }, 120_000);

  it('moves to the other worker when the one holding it is SIGKILLed', async () => {
    const holder = (await json('GET', `/v1/streams/${id}`)).body.worker as string;
    const victim = workers.find((w) => holder.includes(`-${w.child.pid}-`))!;
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const view = await until('taken over', async () => {
      const v = (await json('GET', `/v1/streams/${id}`)).body;
      return v.worker && v.worker !== holder && v.state === 'live' ? v : undefined;
    });
    expect(view.worker).not.toBe(holder);
    expect((await frameEvents(id, 2)).length).toBe(2);
    // The dead worker's ffmpeg died on its broken pipe: one reader is left.
    await until('one camera reader', async () => cameraReaders().length === 1, 20_000);
  }, 120_000);

  it('DELETE stops it: no ffmpeg left reading the camera, no keys left', async () => {
    const res = await json('DELETE', `/v1/streams/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('stopped');
    await until('no camera reader', async () => cameraReaders().length === 0, 20_000);
    expect(await platform.redis.keys(`${platform.prefix}:stream:*`)).toEqual([]);
    expect(await platform.redis.smembers(`${platform.prefix}:streams`)).toEqual([]);
    expect((await json('GET', `/v1/streams/${id}`)).status).toBe(404);
    // Bounded cardinality: the stream's series leave /metrics with it.
    await until(
      'series removed',
      async () => (await streamSamples('argus_stream_frames_in_total', id)).length === 0,
    );
    expect(await streamSamples('argus_stream_lag_seconds', id)).toEqual([]);
    expect((await json('POST', '/v1/streams', { url: 'ftp://example.com/x' })).body.error.code).toBe(
      'invalid_option',
    );
  }, 60_000);
});
