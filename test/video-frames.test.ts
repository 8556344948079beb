/**
 * The ffmpeg frame source against real videos built by ffmpeg: probing, sampling, resuming,
 * back-pressure, cancel/timeout and bad input. Needs Debian's ffmpeg on PATH.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@argus/contracts';
import { runningFfmpegPids } from '../apps/worker/src/video/ffmpeg-process';
import { readFrames, type VideoFrame } from '../apps/worker/src/video/frame-reader';
import { Mp4Encoder } from '../apps/worker/src/video/video-encoder';
import { plannedFrames, probeVideo } from '../apps/worker/src/video/video-probe';
import {
  cocoStills,
  movingSquareVideo,
  tempDir,
  truncated,
  videoFromStills,
  type StillsVideo,
} from './support/test-videos';

const dir = tempDir('frames');
let stills: StillsVideo;
let square: string;

beforeAll(async () => {
  stills = await videoFromStills(dir, cocoStills(4), { secondsPerStill: 1 });
  square = movingSquareVideo(dir, 4);
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

afterEach(() => expect(runningFfmpegPids()).toEqual([]));

async function collect(it: AsyncIterable<VideoFrame>): Promise<VideoFrame[]> {
  const out: VideoFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('probeVideo', () => {
  it('reads size, duration, rate and frame count', async () => {
    const probe = await probeVideo('ffprobe', stills.file);
    expect(probe).toMatchObject({ width: 320, height: 240, fps: 10, codec: 'ffv1' });
    expect(probe.durationSec).toBeCloseTo(4, 1);
    expect(probe.frameCount).toBe(40);
  });

  it('fails a truncated MP4 with invalid_video and ffmpeg’s reason', async () => {
    const bad = truncated(square, 0.5, 'half.mp4');
    const err = await failure(probeVideo('ffprobe', bad));
    expect(err.code).toBe('invalid_video');
    expect(err.message).toMatch(/moov atom not found|Invalid data/);
  });
});

describe('plannedFrames', () => {
  const probe = {
    width: 640,
    height: 480,
    durationSec: 60,
    fps: 30,
    frameCount: 1800,
    codec: 'h264',
    format: 'mp4',
  };
  const limits = { fps: 5, maxFrames: 3000, maxDurationSec: 600, maxPixels: 4e6 };
  it('counts the sampled frames, never more than the stream has', () => {
    expect(plannedFrames(probe, limits)).toBe(300);
    expect(plannedFrames(probe, { ...limits, fps: 60 })).toBe(1800);
  });
  it('refuses too many frames, too long a video or too large a frame, each with its code', () => {
    expect(() => plannedFrames(probe, { ...limits, maxFrames: 299 })).toThrow(/maxFrames is 299/);
    expect(() => plannedFrames(probe, { ...limits, maxDurationSec: 30 })).toThrow(/at most 30 s/);
    expect(() => plannedFrames(probe, { ...limits, maxPixels: 1000 })).toThrow(
      expect.objectContaining({ code: 'image_too_large' }),
    );
    expect(() => plannedFrames(probe, { ...limits, maxFrames: 1 })).toThrow(
      expect.objectContaining({ code: 'video_too_long' }),
    );
  });
});

describe('readFrames', () => {
  it('samples each still once, byte-identical, with index and time', async () => {
    const frames = await collect(readFrames('ffmpeg', stills.file, { fps: 1, width: 320, height: 240 }));
    expect(frames.map((f) => [f.index, f.timeSec])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    frames.forEach((f, i) => expect(f.rgb.equals(stills.frames[i])).toBe(true));
  });

  it('resumes from a start frame with the same frames an unskipped run gives', async () => {
    const opts = { fps: 5, width: 320, height: 240 };
    const all = await collect(readFrames('ffmpeg', stills.file, opts));
    expect(all).toHaveLength(20);
    const tail = await collect(readFrames('ffmpeg', stills.file, { ...opts, startFrame: 12 }));
    expect(tail.map((f) => f.index)).toEqual(all.slice(12).map((f) => f.index));
    tail.forEach((f, i) => expect(f.rgb.equals(all[12 + i].rgb)).toBe(true));
    const middle = await collect(readFrames('ffmpeg', stills.file, { ...opts, startFrame: 5, endFrame: 8 }));
    expect(middle.map((f) => f.index)).toEqual([5, 6, 7]);
  });

  it('follows the synthetic square as it moves right', async () => {
    const frames = await collect(readFrames('ffmpeg', square, { fps: 5, width: 160, height: 120 }));
    expect(frames).toHaveLength(20);
    const leftEdge = (f: VideoFrame) => {
      const row = 60 * f.width * 3;
      for (let x = 0; x < f.width; x++) if (f.rgb[row + x * 3] > 200) return x;
      return -1;
    };
    const xs = frames.map(leftEdge);
    expect(xs[0]).toBeLessThanOrEqual(2);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1]);
  });

  it('holds ffmpeg on the pipe while the consumer is busy, and kills it when the consumer stops', async () => {
    const long = movingSquareVideo(dir, 30, 'long.mp4');
    const frames = readFrames('ffmpeg', long, { fps: 25, width: 160, height: 120 });
    const first = await frames.next();
    expect(first.value?.index).toBe(0);
    const [pid] = runningFfmpegPids();
    await new Promise((r) => setTimeout(r, 1500));
    // 750 frames of 57 KB do not fit a pipe: ffmpeg is still there, blocked on its write.
    expect(alive(pid)).toBe(true);
    await frames.return(undefined);
    expect(runningFfmpegPids()).toEqual([]);
    expect(alive(pid)).toBe(false);
  });

  it('stops with canceled on abort and with timeout after its deadline, leaving no process', async () => {
    const controller = new AbortController();
    const opts = { fps: 25, width: 160, height: 120 };
    const seen: number[] = [];
    const canceled = failure(
      (async () => {
        for await (const f of readFrames('ffmpeg', square, { ...opts, signal: controller.signal })) {
          seen.push(f.index);
          if (f.index === 3) controller.abort();
          await new Promise((r) => setTimeout(r, 10));
        }
      })(),
    );
    expect((await canceled).code).toBe('canceled');
    expect(seen.length).toBeLessThan(100);
    const slow = failure(
      (async () => {
        for await (const _ of readFrames('ffmpeg', square, { ...opts, timeoutMs: 300 })) {
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
    );
    expect((await slow).code).toBe('timeout');
  });

  it('fails a truncated video with invalid_video and the decoder’s reason', async () => {
    const bad = truncated(stills.file, 0.6, 'cut.mkv');
    const probe = await probeVideo('ffprobe', bad);
    const expectedFrames = plannedFrames(probe, {
      fps: 10,
      maxFrames: 100,
      maxDurationSec: 60,
      maxPixels: 1e6,
    });
    expect(expectedFrames).toBe(40);
    const err = await failure(
      collect(readFrames('ffmpeg', bad, { fps: 10, width: 320, height: 240, expectedFrames })),
    );
    expect(err.code).toBe('invalid_video');
    expect(err.message).toMatch(/ended after \d+ of 40 frames: .*File ended prematurely/);
  });
});

describe('Mp4Encoder', () => {
  it('writes a playable MP4 with every frame', async () => {
    const out = path.join(dir, 'encoded.mp4');
    const enc = new Mp4Encoder('ffmpeg', out, { width: 320, height: 240, fps: 2 });
    for (const f of stills.frames) await enc.write(f);
    await enc.finish();
    const probe = await probeVideo('ffprobe', out);
    expect(probe).toMatchObject({ width: 320, height: 240, fps: 2, frameCount: 4 });
    expect(['h264', 'mpeg4']).toContain(probe.codec);
  });
});
