/**
 * A live RTSP stream through the real platform: Debian's GStreamer RTSP server serves an
 * H.264 clip that ffmpeg builds from coco128 photos of people; the stream is registered as
 * `rtsp://` (read over TCP), a real worker runs YOLOv8n on it, boxes arrive as events; the
 * server is killed and started again on the same port, and the stream comes back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RtspCamera, h264FromStills } from './support/rtsp-camera';
import { sleep, startPlatform, type Platform } from './support/platform';
import { COCO128_IMAGES, tempDir } from './support/test-videos';

const dir = tempDir('rtsp');
/** coco128 photos with people in them (class 0 in their labels). */
const STILLS = ['000000000036', '000000000049', '000000000061', '000000000074'].map((n) =>
  path.join(COCO128_IMAGES, `${n}.jpg`),
);
let platform: Platform;
let camera: RtspCamera;

beforeAll(async () => {
  camera = new RtspCamera(h264FromStills(dir, STILLS, 15));
  await camera.start();
  platform = await startPlatform({
    workers: 1,
    env: { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n', STREAM_LEASE_MS: '1500' },
    gatewayEnv: { STREAM_ALLOW_PRIVATE: 'true' },
  });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await camera?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function view(id: string): Promise<any> {
  return (await fetch(`${platform.url}/v1/streams/${id}`)).json();
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
      throw new Error(`${what}: not within ${timeoutMs} ms\n${platform.logs().slice(-3000)}`);
    await sleep(200);
  }
}

/** Frame events stored for the stream (what the events endpoint sends). */
async function storedFrames(id: string): Promise<any[]> {
  const entries = await platform.redis.xrange(`${platform.prefix}:stream:{${id}}:events`, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1]));
}

describe('an rtsp:// stream (GStreamer RTSP server, TCP)', () => {
  it('sends boxes of the people in the clip, and comes back after the server restarts', async () => {
    const res = await fetch(`${platform.url}/v1/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: camera.url, fps: 2 }),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    const frames = await until('boxes', async () => {
      const stored = await storedFrames(id);
      return stored.length >= 3 ? stored : undefined;
    });
    expect(frames[0]).toMatchObject({ width: 640, height: 480 });
    const people = frames.flatMap((f) => f.detections.filter((d: any) => d.label === 'person'));
    expect(people.length).toBeGreaterThanOrEqual(3);
    expect(people.every((d: any) => d.box.x2 > d.box.x1 && d.trackId !== undefined)).toBe(true);
    expect((await view(id)).state).toBe('live');

    const before = (await view(id)).metrics;
    await camera.stop();
    await until('reconnecting', async () => (await view(id)).state === 'reconnecting');
    await camera.start();
    const after = await until('live again', async () => {
      const v = await view(id);
      return v.state === 'live' && v.metrics.framesProcessed > before.framesProcessed + 2 ? v : undefined;
    });
    expect(after.metrics.reconnects).toBeGreaterThan(before.reconnects);
    const latest = (await storedFrames(id)).at(-1);
    expect(latest.detections.some((d: any) => d.label === 'person')).toBe(true);

    expect((await fetch(`${platform.url}/v1/streams/${id}`, { method: 'DELETE' })).status).toBe(200);
  }, 150_000);
});
