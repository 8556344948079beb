/**
 * Video jobs through the real platform: gateway → Redis/BullMQ → worker (ffmpeg decode, the
 * real YOLOv8n through the batcher, tracking) → annotated MP4 and contact sheet. Videos are
 * built by Debian's ffmpeg from coco128 stills and from a pan across zidane.jpg.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readEventStream, type ServerSentEvent } from '@argus/client';
import { probeVideo } from '../apps/worker/src/video/video-probe';
import {
  REPO_ROOT,
  SAMPLES,
  sleep,
  startPlatform,
  type Platform,
  type ProcessHandle,
} from './support/platform';
import {
  cocoStills,
  panningVideo,
  tempDir,
  truncated,
  videoFromStills,
  type StillsVideo,
} from './support/test-videos';

const dir = tempDir('video-api');
/** The workers' TMPDIR: every ffmpeg they start names a file under it, so leftovers can be found. */
const workerTmp = path.join(dir, 'worker-tmp');
fs.mkdirSync(workerTmp);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'video');
const TASKS = { WORKER_TASKS: 'detect,parse', WORKER_MODELS: 'yolov8n,bodypix-075-sch' };

let platform: Platform;
let worker: ProcessHandle;
let stills: StillsVideo;
let pan: string;
let longPan: string;

type Det = {
  label: string;
  classId: number;
  confidence: number;
  box: Record<'x1' | 'y1' | 'x2' | 'y2', number>;
};
type TrackedDet = Det & { trackId: number | null };

beforeAll(async () => {
  stills = await videoFromStills(dir, cocoStills(6), { width: 640, height: 480, secondsPerStill: 1 });
  pan = panningVideo(dir, path.join(SAMPLES, 'zidane.jpg'), {
    seconds: 8,
    width: 960,
    height: 720,
    pxPerSec: 40,
  });
  longPan = panningVideo(dir, path.join(SAMPLES, 'zidane.jpg'), {
    seconds: 24,
    width: 640,
    height: 480,
    pxPerSec: 25,
    name: 'long-pan.mp4',
  });
  platform = await startPlatform({
    workers: 0,
    waitReady: false,
    env: { ...TASKS, LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '1000', VIDEO_CHUNK_FRAMES: '4' },
  });
  worker = startWorker('worker-a');
  await platform.waitForWorkerReady(worker, 60_000);
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startWorker(name: string): ProcessHandle {
  return platform.startWorker({ TMPDIR: workerTmp }, name);
}

const upload = (file: string) => ({ bytes: fs.readFileSync(file), name: path.basename(file) });

/** ffmpeg/ffprobe processes whose command line names a file under the workers' TMPDIR. */
function strayFfmpeg(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => /ff(mpeg|probe)/.test(l) && l.includes(workerTmp));
}

async function videoKeys(): Promise<string[]> {
  return platform.redis.keys(`${platform.prefix}:video:*`);
}

async function waitForFrames(id: string, atLeast: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await platform.get(`/v1/jobs/${id}`);
    if ((body.progress?.framesDone ?? 0) >= atLeast) return;
    if (['completed', 'failed', 'canceled'].includes(body.status))
      throw new Error(`job ended: ${JSON.stringify(body)}`);
    if (Date.now() > deadline)
      throw new Error(`job ${id} did not reach ${atLeast} frames\n${platform.logs()}`);
    await sleep(100);
  }
}

describe('POST /v1/jobs with a video, task=detect', () => {
  it('detects every sampled frame exactly as the same frame detected as an image', async () => {
    const submit = await platform.post('/v1/jobs', upload(stills.file), { task: 'detect', fps: '1' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id, 180_000);
    expect(job.status).toBe('completed');
    expect(job.progress).toEqual({ stage: 'done', percent: 100 });
    const result = job.result;
    expect(result.media).toBe('video');
    expect(result.video).toMatchObject({ width: 640, height: 480, fps: 1, frameCount: 6, codec: 'ffv1' });
    expect(result.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.frames.map((f: { index: number; timeSec: number }) => [f.index, f.timeSec])).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => [i, i]),
    );

    for (const [i, frame] of stills.frames.entries()) {
      const png = await sharp(frame, { raw: { width: 640, height: 480, channels: 3 } })
        .png()
        .toBuffer();
      const single = await platform.post(
        '/v1/jobs',
        { bytes: png, name: `frame-${i}.png` },
        { task: 'detect' },
      );
      const image = await platform.waitForJob(single.body.id, 60_000);
      const expected = image.result.detections as Det[];
      const got = result.frames[i].detections as TrackedDet[];
      expect(got.map((d) => d.label)).toEqual(expected.map((d) => d.label));
      got.forEach((d, j) => {
        // The same pixels; only the batch the model ran in may differ (float noise).
        expect(d.confidence).toBeCloseTo(expected[j].confidence, 4);
        for (const k of ['x1', 'y1', 'x2', 'y2'] as const)
          expect(Math.abs(d.box[k] - expected[j].box[k])).toBeLessThan(0.05);
        expect(d).toHaveProperty('trackId');
      });
    }
    expect(result.frames.flatMap((f: { detections: Det[] }) => f.detections).length).toBeGreaterThan(6);
    expect(await videoKeys()).toEqual([]);
  }, 300_000);

  it('keeps the ids of the people in a panning shot, and serves the annotated MP4 and contact sheet', async () => {
    const submit = await platform.post('/v1/jobs', upload(pan), { task: 'detect', fps: '2' });
    const job = await platform.waitForJob(submit.body.id, 180_000);
    expect(job.status).toBe('completed');
    const { frames, tracks } = job.result as {
      frames: Array<{ index: number; detections: TrackedDet[] }>;
      tracks: Array<{
        trackId: number;
        label: string;
        frames: number;
        firstFrame: number;
        lastFrame: number;
      }>;
    };
    expect(frames).toHaveLength(16);
    // The two players are in every frame; each keeps one id from first frame to last.
    const people = tracks.filter((t) => t.label === 'person' && t.frames >= 14);
    expect(people.length).toBeGreaterThanOrEqual(2);
    for (const t of people) expect([t.firstFrame, t.lastFrame]).toEqual([0, 15]);
    const confident = new Set(
      frames.flatMap((f) =>
        f.detections.filter((d) => d.label === 'person' && d.confidence > 0.7).map((d) => d.trackId),
      ),
    );
    expect([...confident].every((id) => people.some((t) => t.trackId === id))).toBe(true);

    expect(job.links).toMatchObject({
      video: `/v1/jobs/${job.id}/annotated.mp4`,
      contactSheet: `/v1/jobs/${job.id}/contact-sheet.jpg`,
    });
    const mp4 = await fetch(`${platform.url}${job.links.video}`);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    const mp4File = path.join(dir, 'annotated.mp4');
    fs.writeFileSync(mp4File, Buffer.from(await mp4.arrayBuffer()));
    expect(await probeVideo('ffprobe', mp4File)).toMatchObject({
      width: 960,
      height: 720,
      fps: 2,
      frameCount: 16,
    });
    const sheet = Buffer.from(await (await fetch(`${platform.url}${job.links.contactSheet}`)).arrayBuffer());
    // Kept for a look: test-artifacts/video/ (the annotated MP4 and its contact sheet).
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.copyFileSync(mp4File, path.join(ARTIFACTS, 'pan-annotated.mp4'));
    fs.writeFileSync(path.join(ARTIFACTS, 'pan-contact-sheet.jpg'), sheet);
    const meta = await sharp(sheet).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 4 * 320, height: 3 * 240 });
  }, 300_000);

  it('resumes a video from its last stored chunk after the worker is SIGKILLed, no frame twice', async () => {
    const submit = await platform.post('/v1/jobs', upload(longPan), { task: 'detect', fps: '5' });
    await waitForFrames(submit.body.id, 12);
    worker.child.kill('SIGKILL');
    await worker.exited;
    worker = startWorker('worker-b');
    await platform.waitForWorkerReady(worker, 60_000);
    const job = await platform.waitForJob(submit.body.id, 300_000);
    expect(job.status).toBe('completed');
    const indices = (job.result.frames as Array<{ index: number }>).map((f) => f.index);
    expect(indices).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(job.result.timings.resumedAtFrame).toBeGreaterThanOrEqual(12);
    expect(worker.output.join('')).toMatch(/resuming video from the last stored chunk/);
    expect(await videoKeys()).toEqual([]);
    // The killed worker's ffmpeg died on its broken pipe.
    for (let i = 0; i < 50 && strayFfmpeg().length > 0; i++) await sleep(100);
    expect(strayFfmpeg()).toEqual([]);
  }, 400_000);

  it('hands a running video back to the queue on SIGTERM, no attempt used; the next worker resumes it', async () => {
    const submit = await platform.post('/v1/jobs', upload(longPan), { task: 'detect', fps: '4' });
    const id = submit.body.id as string;
    await waitForFrames(id, 8);
    worker.child.kill('SIGTERM');
    await worker.exited;
    expect(worker.output.join('')).not.toMatch(/video job failed/);
    const back = (await platform.get(`/v1/jobs/${id}`)).body;
    expect(back.status).toBe('queued');
    expect(back.timings.attempts ?? 0).toBe(0);
    worker = startWorker('worker-c');
    await platform.waitForWorkerReady(worker, 60_000);
    const job = await platform.waitForJob(id, 300_000);
    expect(job.status).toBe('completed');
    expect((job.result.frames as Array<{ index: number }>).map((f) => f.index)).toEqual(
      Array.from({ length: 96 }, (_, i) => i),
    );
    expect(job.result.timings.resumedAtFrame).toBeGreaterThanOrEqual(8);
    expect(await videoKeys()).toEqual([]);
  }, 400_000);

  it('can be followed through ?wait and the job events stream like an image job', async () => {
    const submit = await platform.post('/v1/jobs', upload(stills.file), { task: 'detect', fps: '2' });
    expect(submit.status).toBe(202);
    const id = submit.body.id as string;
    const res = await fetch(`${platform.url}/v1/jobs/${id}/events`, {
      headers: { Accept: 'text/event-stream' },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const streamed = (async () => {
      const events: ServerSentEvent[] = [];
      for await (const event of readEventStream(res.body!)) events.push(event);
      return events;
    })();
    const waited = await platform.get(`/v1/jobs/${id}?wait=60`);
    const events = await streamed;
    const last = events[events.length - 1];
    expect(last.event).toBe('completed');
    expect(JSON.parse(last.data)).toMatchObject({ id, status: 'completed' });
    // 12 frames take seconds; the wait answers as soon as the job ends (at most 60 s).
    expect(waited.body.status).toBe('completed');
    expect(waited.body.result.media).toBe('video');
    expect(waited.body.result.video.frameCount).toBe(12);
    expect(waited.body.links.video).toBe(`/v1/jobs/${id}/annotated.mp4`);
  }, 300_000);

  it('stops on cancel, leaving no ffmpeg process and no Redis keys', async () => {
    const submit = await platform.post('/v1/jobs', upload(longPan), {
      task: 'detect',
      fps: '5',
      maxFrames: '500',
    });
    const id = submit.body.id as string;
    await waitForFrames(id, 4);
    const res = await fetch(`${platform.url}/v1/jobs/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    const job = await platform.waitForJob(id, 60_000);
    expect(job.status).toBe('canceled');
    expect(job.progress.framesDone ?? 0).toBeLessThan(120);
    expect(strayFfmpeg()).toEqual([]);
    expect(await videoKeys()).toEqual([]);
    expect(
      await platform.redis.exists(`${platform.prefix}:blob:${id}`, `${platform.prefix}:cancel:${id}`),
    ).toBe(0);
  }, 120_000);

  it('fails a truncated video with invalid_video and ffmpeg’s reason, and a too long one with video_too_long', async () => {
    const cut = truncated(stills.file, 0.5, 'cut.mkv');
    const bad = await platform.post('/v1/jobs', upload(cut), { task: 'detect', fps: '10' });
    expect(bad.status).toBe(202);
    const failed = await platform.waitForJob(bad.body.id, 120_000);
    expect(failed.status).toBe('failed');
    expect(failed.error.code).toBe('invalid_video');
    expect(failed.error.message).toMatch(/File ended prematurely/);

    const long = await platform.post('/v1/jobs', upload(pan), { task: 'detect', fps: '5', maxFrames: '10' });
    const tooLong = await platform.waitForJob(long.body.id, 60_000);
    expect(tooLong.error).toEqual({
      code: 'video_too_long',
      message: expect.stringMatching(/40 frames; maxFrames is 10/),
    });
    expect(strayFfmpeg()).toEqual([]);
    expect(await videoKeys()).toEqual([]);
  }, 200_000);

  it('refuses bad video options before queueing, and keeps the synchronous endpoints image-only', async () => {
    const zero = await platform.post('/v1/jobs', upload(pan), { task: 'detect', fps: '0' });
    expect(zero.status).toBe(400);
    expect(zero.body.error.code).toBe('invalid_option');
    const sync = await platform.post('/detect', upload(pan), {}, 'file');
    expect(sync.status).toBe(415);
  });
});

describe('POST /v1/jobs with a video, task=parse', () => {
  it('parses every sampled frame as the same frame parsed as an image, people tracked, masks drawn', async () => {
    const parseDir = fs.mkdtempSync(path.join(dir, 'parse-'));
    const people = await videoFromStills(
      parseDir,
      ['bus.jpg', 'zidane.jpg'].map((f) => path.join(SAMPLES, f)),
      { width: 640, height: 480, secondsPerStill: 1 },
    );
    const submit = await platform.post('/v1/jobs', upload(people.file), { task: 'parse', fps: '1' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id, 240_000);
    expect(job.status).toBe('completed');
    type Person = {
      trackId: number | null;
      box: Det['box'];
      score: number;
      parts: Array<{ label: string; pixels: number }>;
    };
    const frames = job.result.frames as Array<{ detections: TrackedDet[]; persons: Person[] }>;
    expect(frames).toHaveLength(2);
    for (const [i, frame] of people.frames.entries()) {
      const png = await sharp(frame, { raw: { width: 640, height: 480, channels: 3 } })
        .png()
        .toBuffer();
      const single = await platform.post('/v1/jobs', { bytes: png, name: `p-${i}.png` }, { task: 'parse' });
      const image = await platform.waitForJob(single.body.id, 120_000);
      const expected = image.result.persons as Person[];
      const got = frames[i].persons;
      expect(got.length).toBe(expected.length);
      expect(got.length).toBeGreaterThanOrEqual(2);
      got.forEach((p, j) => {
        expect(p.parts.map((x) => x.label)).toEqual(expected[j].parts.map((x) => x.label));
        expect(p.score).toBeCloseTo(expected[j].score, 4);
        for (const k of ['x1', 'y1', 'x2', 'y2'] as const)
          expect(Math.abs(p.box[k] - expected[j].box[k])).toBeLessThan(0.05);
        // The person and its box share one track id.
        expect(p.trackId).toBe(frames[i].detections[j].trackId);
      });
    }
    const mp4File = path.join(dir, 'parse-annotated.mp4');
    const mp4 = await fetch(`${platform.url}${job.links.video}`);
    fs.writeFileSync(mp4File, Buffer.from(await mp4.arrayBuffer()));
    expect(await probeVideo('ffprobe', mp4File)).toMatchObject({ width: 640, height: 480, frameCount: 2 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.copyFileSync(mp4File, path.join(ARTIFACTS, 'parse-annotated.mp4'));
    expect(await videoKeys()).toEqual([]);
  }, 400_000);
});
