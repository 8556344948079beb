import { AppError } from '@argus/contracts';
import { abortReason, FfmpegProcess, type FfmpegRun } from './ffmpeg-process';

export interface VideoFrame {
  /** Index among the sampled frames, from 0. */
  index: number;
  /** Presentation time of the sample, seconds from the start. */
  timeSec: number;
  width: number;
  height: number;
  /** Interleaved RGB, `width × height × 3` bytes. */
  rgb: Buffer;
}

export interface FrameReadOptions extends FfmpegRun {
  /** Sampling rate: ffmpeg's `fps` filter picks the frame nearest each 1/fps tick. */
  fps: number;
  /** Frame size the probe reported (display size, after rotation). */
  width: number;
  height: number;
  /** Skip the sampled frames before this one (a resumed job); they are decoded, not returned. */
  startFrame?: number;
  /** Stop after this many sampled frames (counted from 0, not from `startFrame`). */
  endFrame?: number;
  /**
   * Sampled frames the probe promised (`plannedFrames`). A file cut short often decodes
   * cleanly up to the cut (Matroska just ends), so ending more than one frame short of this
   * (the fps filter's rounding) is what marks it as truncated.
   */
  expectedFrames?: number;
}

/**
 * Decodes a video file with ffmpeg into raw RGB frames sampled at `fps`, one at a time.
 * Back-pressure is the pipe's: while the consumer is busy with a frame nothing is read, the
 * pipe fills and ffmpeg blocks on its write. Breaking out of the loop, an abort or the
 * timeout kills ffmpeg. A decode error (truncated or corrupt file) ends the iteration with
 * `invalid_video` and ffmpeg's own reason; `-xerror` makes ffmpeg stop at the first one
 * instead of concealing it and returning damaged frames.
 */
export async function* readFrames(
  ffmpeg: string,
  file: string,
  opts: FrameReadOptions,
): AsyncGenerator<VideoFrame> {
  const start = opts.startFrame ?? 0;
  const filters = [`fps=${opts.fps}`];
  // select counts the fps filter's output, so frame numbers match an unskipped run exactly.
  if (start > 0) filters.push(`select=gte(n\\,${start})`);
  const args = [
    '-nostdin',
    '-v',
    'warning',
    '-xerror',
    '-i',
    file,
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
  ];
  if (start > 0) args.push('-fps_mode', 'passthrough');
  if (opts.endFrame !== undefined) args.push('-frames:v', String(Math.max(0, opts.endFrame - start)));
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  const proc = new FfmpegProcess(ffmpeg, args, opts);
  const frameBytes = opts.width * opts.height * 3;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = start;
  let finished = false;
  try {
    for await (const chunk of proc.child.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= frameBytes) {
        const joined = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        const rgb = Buffer.from(joined.subarray(0, frameBytes));
        const rest = joined.subarray(frameBytes);
        pending = rest.length > 0 ? [rest] : [];
        pendingBytes = rest.length;
        yield { index, timeSec: index / opts.fps, width: opts.width, height: opts.height, rgb };
        index += 1;
      }
    }
    const exit = await proc.exited;
    if (exit.aborted) throw abortReason(opts.signal);
    if (exit.timedOut) throw new AppError('timeout', `decoding did not finish within ${opts.timeoutMs} ms`);
    if (exit.code !== 0) {
      throw new AppError(
        'invalid_video',
        `the video cannot be decoded after ${index} frames: ${proc.stderrTail() || `ffmpeg exit ${exit.code}`}`,
      );
    }
    if (pendingBytes > 0) throw new AppError('invalid_video', `the video ended inside frame ${index}`);
    const expected = Math.min(opts.expectedFrames ?? 0, opts.endFrame ?? Infinity);
    if (index < expected - 1) {
      throw new AppError(
        'invalid_video',
        `the video ended after ${index} of ${expected} frames: ${proc.stderrTail() || 'the file is cut short'}`,
      );
    }
    finished = true;
  } finally {
    // The consumer stopped early (break, throw) or ffmpeg failed: never leave it running.
    if (!finished) proc.kill();
    await proc.exited;
  }
}
