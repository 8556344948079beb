/**
 * Test videos made by Debian's ffmpeg: from coco128 stills (one still per second of video)
 * and from a synthetic moving square. Lossless codecs (FFV1 in Matroska, libx264rgb at
 * qp 0) keep the decoded frames byte-identical to what went in.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { SHARED } from './platform';

export const COCO128_IMAGES = path.join(SHARED, 'data', 'coco128', 'images', 'train2017');

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `argus-${label}-`));
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The first `count` coco128 images, which must exist (the test fails loudly otherwise). */
export function cocoStills(count: number): string[] {
  if (!fs.existsSync(COCO128_IMAGES)) throw new Error(`coco128 images are missing at ${COCO128_IMAGES}`);
  return fs
    .readdirSync(COCO128_IMAGES)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, count)
    .map((f) => path.join(COCO128_IMAGES, f));
}

export interface StillsVideo {
  file: string;
  width: number;
  height: number;
  /** The RGB pixels of each still as the video holds them (resized/padded to one size). */
  frames: Buffer[];
}

/**
 * A video showing each still for `secondsPerStill` at 10 fps, every still letterboxed into
 * `width`×`height`. Sampling it at 1/secondsPerStill fps returns each still exactly once.
 */
export async function videoFromStills(
  dir: string,
  stills: string[],
  opts: { width?: number; height?: number; secondsPerStill?: number; container?: 'mkv' | 'mp4' } = {},
): Promise<StillsVideo> {
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const perStill = opts.secondsPerStill ?? 1;
  const frames: Buffer[] = [];
  const rawFile = path.join(dir, 'stills.rgb');
  const fd = fs.openSync(rawFile, 'w');
  for (const still of stills) {
    const rgb = await sharp(still)
      .resize(width, height, { fit: 'contain', background: '#000' })
      .removeAlpha()
      .raw()
      .toBuffer();
    frames.push(rgb);
    for (let i = 0; i < 10 * perStill; i++) fs.writeSync(fd, rgb);
  }
  fs.closeSync(fd);
  const container = opts.container ?? 'mkv';
  const file = path.join(dir, `stills.${container}`);
  const codec =
    container === 'mkv' ? ['-c:v', 'ffv1'] : ['-c:v', 'libx264rgb', '-qp', '0', '-preset', 'ultrafast'];
  ffmpeg([
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    '-r',
    '10',
    '-i',
    rawFile,
    ...codec,
    file,
  ]);
  fs.rmSync(rawFile);
  return { file, width, height, frames };
}

/** A white square moving left to right over grey: `seconds` long at 25 fps. */
export function movingSquareVideo(dir: string, seconds: number, name = 'square.mp4'): string {
  const file = path.join(dir, name);
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `color=c=gray:s=160x120:r=25:d=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    'color=c=white:s=40x40:r=25',
    '-filter_complex',
    `[0][1]overlay=x='t*100/${seconds}':y=40:shortest=1`,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
  return file;
}

/** The first `fraction` of a file's bytes: a truncated upload. */
export function truncated(file: string, fraction: number, name: string): string {
  const bytes = fs.readFileSync(file);
  const out = path.join(path.dirname(file), name);
  fs.writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return out;
}

/**
 * A camera panning across a photo: a `width`×`height` window sliding right by `pxPerSec`,
 * `seconds` long at 25 fps, H.264. The people in zidane.jpg drift left through the frame.
 */
export function panningVideo(
  dir: string,
  photo: string,
  opts: { seconds: number; width: number; height: number; pxPerSec: number; name?: string },
): string {
  const file = path.join(dir, opts.name ?? 'pan.mp4');
  ffmpeg([
    '-loop',
    '1',
    '-framerate',
    '25',
    '-t',
    String(opts.seconds),
    '-i',
    photo,
    '-vf',
    `crop=${opts.width}:${opts.height}:x='t*${opts.pxPerSec}':y=0`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
  return file;
}
