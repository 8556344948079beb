/**
 * A video job's throughput beside the model alone: a video made by ffmpeg from coco128
 * stills (one still per second, lossless FFV1), sampled at 1 fps, so each frame is a
 * different photo and the job does the work of that many image jobs plus decoding,
 * tracking and rendering the annotated MP4.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { CeilingResult } from './ceiling';
import { SHARED } from './images';
import { fmt, sleep } from './stats';

const COCO = path.join(SHARED, 'data', 'coco128', 'images', 'train2017');

export interface VideoRun {
  frames: number;
  width: number;
  height: number;
  /** Frames over the whole job (processedOn → finishedOn): decode, detect, track, render, store. */
  jobFramesPerSec: number;
  /** Frames over the detection pass alone (the worker's `framesPerSecond`). */
  detectFramesPerSec: number;
  renderMs: number;
}

async function buildVideo(dir: string, stills: number): Promise<string> {
  const raw = path.join(dir, 'frames.rgb');
  const fd = fs.openSync(raw, 'w');
  const names = fs
    .readdirSync(COCO)
    .filter((n) => n.endsWith('.jpg'))
    .sort()
    .slice(0, stills);
  for (const name of names) {
    const rgb = await sharp(path.join(COCO, name))
      .resize(640, 480, { fit: 'contain', background: '#000' })
      .removeAlpha()
      .raw()
      .toBuffer();
    for (let i = 0; i < 5; i++) fs.writeSync(fd, rgb);
  }
  fs.closeSync(fd);
  const file = path.join(dir, 'stills.mkv');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    '640x480',
    '-r',
    '5',
    '-i',
    raw,
    '-c:v',
    'ffv1',
    file,
  ]);
  return file;
}

/** Submits one video job of `stills` frames to the platform at `url` and waits for it. */
export async function measureVideoJob(url: string, stills: number, timeoutMs = 600_000): Promise<VideoRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-bench-video-'));
  try {
    const file = await buildVideo(dir, stills);
    const form = new FormData();
    form.append('task', 'detect');
    form.append('fps', '1');
    form.append('image', new Blob([new Uint8Array(fs.readFileSync(file))]), 'stills.mkv');
    const submit = await fetch(`${url}/v1/jobs`, { method: 'POST', body: form });
    const { id } = (await submit.json()) as { id: string };
    if (submit.status !== 202) throw new Error(`the video job was refused (${submit.status})`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as {
        status: string;
        error?: { code: string; message: string };
        timings: { processingMs?: number };
        result?: {
          video: { frameCount: number; width: number; height: number };
          timings: Record<string, number>;
        };
      };
      if (job.status === 'completed' && job.result) {
        const frames = job.result.video.frameCount;
        return {
          frames,
          width: job.result.video.width,
          height: job.result.video.height,
          jobFramesPerSec: (frames / (job.timings.processingMs ?? Infinity)) * 1000,
          detectFramesPerSec: job.result.timings.framesPerSecond,
          renderMs: job.result.timings.renderMs,
        };
      }
      if (job.status === 'failed' || job.status === 'canceled') {
        throw new Error(`the video job ended ${job.status}: ${job.error?.code}: ${job.error?.message}`);
      }
      if (Date.now() > deadline) throw new Error(`the video job did not finish within ${timeoutMs} ms`);
      await sleep(200);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's lines: the video job's frames/s beside the detect ceilings of the same run. */
export function renderVideoSection(run: VideoRun, ceiling: readonly CeilingResult[]): string {
  const detect = ceiling.filter((c) => c.task === 'detect');
  const best = detect.reduce<CeilingResult | undefined>(
    (a, c) => (!a || c.imagesPerSec > a.imagesPerSec ? c : a),
    undefined,
  );
  const ratio = (v: number) =>
    best ? ` (${fmt((100 * v) / best.imagesPerSec, 0)} % of the best ceiling)` : '';
  return [
    `### Video job, 1 worker`,
    '',
    `One detect job on a ${run.width}×${run.height} FFV1 video of ${run.frames} coco128 stills, sampled at 1 fps (yolov8n, VIDEO_CHUNK_FRAMES default).`,
    '',
    '| measure | frames/s |',
    '| --- | --- |',
    `| detection pass (decode, detect through the batcher, track, store chunks) | ${fmt(run.detectFramesPerSec, 1)}${ratio(run.detectFramesPerSec)} |`,
    `| whole job (also the annotated MP4 and contact sheet: ${fmt(run.renderMs / 1000, 1)} s) | ${fmt(run.jobFramesPerSec, 1)}${ratio(run.jobFramesPerSec)} |`,
    ...(best
      ? [
          `| model alone, best ceiling row (${best.instances} × ${best.intraOpThreads} threads, batch ${best.batch}) | ${fmt(best.imagesPerSec, 1)} |`,
        ]
      : []),
  ].join('\n');
}
