/**
 * A live stream with `task=parse`, through the real platform: a loopback MJPEG camera showing
 * zidane.jpg (two people), a real worker running the default parse model (fused BodyPix with
 * the skin/clothes/hair segmenter) through the same stream runner and per-frame model call as
 * video jobs; each event carries the people with their parts, tracked like detect boxes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MjpegServer } from './support/mjpeg-server';
import { SAMPLES, sleep, startPlatform, type Platform } from './support/platform';
import { tempDir } from './support/test-videos';

const dir = tempDir('stream-parse');
let platform: Platform;
let camera: MjpegServer;

beforeAll(async () => {
  const frame = path.join(dir, 'zidane.jpg');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    path.join(SAMPLES, 'zidane.jpg'),
    '-vf',
    'scale=640:360',
    frame,
  ]);
  camera = new MjpegServer([fs.readFileSync(frame)], 5);
  await camera.start();
  platform = await startPlatform({
    workers: 1,
    env: { WORKER_TASKS: 'detect,parse', WORKER_MODELS: 'yolov8n,bodypix-075-sch', STREAM_LEASE_MS: '1500' },
    gatewayEnv: { STREAM_ALLOW_PRIVATE: 'true' },
  });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await camera?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /v1/streams with task=parse', () => {
  it('refuses parse options that do not exist, like a parse job', async () => {
    const res = await fetch(`${platform.url}/v1/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: camera.url, task: 'parse', options: { threshold: 7 } }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_option');
  });

  it('sends per-frame persons with parts, each with the track id of its person box', async () => {
    const res = await fetch(`${platform.url}/v1/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: camera.url, task: 'parse', fps: 1 }),
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ task: 'parse', options: { model: 'bodypix-075-sch', mode: 'crops' } });
    const key = `${platform.prefix}:stream:{${created.id}}:events`;
    let frames: any[] = [];
    for (let i = 0; i < 300 && frames.length < 3; i++) {
      frames = (await platform.redis.xrange(key, '-', '+')).map(([, f]) => JSON.parse(f[1]));
      await sleep(200);
    }
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const f of frames) {
      expect(f).toMatchObject({ width: 640, height: 360 });
      expect(f.persons.length).toBeGreaterThanOrEqual(2);
      expect(f.persons).toHaveLength(f.detections.length);
      f.persons.forEach((p: any, i: number) => {
        expect(p.trackId).toBe(f.detections[i].trackId);
        expect(f.detections[i].label).toBe('person');
        expect(p.parts.map((part: any) => part.label)).toEqual(expect.arrayContaining(['Face']));
        expect(p.mask.counts.length).toBeGreaterThan(0);
      });
    }
    // The same two people keep their ids from frame to frame (a still camera).
    const ids = (f: any) => f.persons.map((p: any) => p.trackId).sort();
    expect(ids(frames[2])).toEqual(ids(frames[1]));
    expect((await fetch(`${platform.url}/v1/streams/${created.id}`, { method: 'DELETE' })).status).toBe(200);
  }, 150_000);
});
