import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { abortReason, FfmpegProcess, type FfmpegRun } from './ffmpeg-process';

const codecCache = new Map<string, 'libx264' | 'mpeg4'>();

/**
 * H.264 plays in every browser; Debian's ffmpeg has libx264, but a build without it still
 * has the native MPEG-4 part 2 encoder, which desktop players (not all browsers) handle.
 */
export function mp4Codec(ffmpeg: string): 'libx264' | 'mpeg4' {
  let codec = codecCache.get(ffmpeg);
  if (!codec) {
    const encoders = execFileSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' });
    codec = /\blibx264\b/.test(encoders) ? 'libx264' : 'mpeg4';
    codecCache.set(ffmpeg, codec);
  }
  return codec;
}

export interface EncodeOptions extends FfmpegRun {
  width: number;
  height: number;
  fps: number;
}

/**
 * Encodes raw RGB frames written one by one into an MP4 file. `write` waits for the pipe to
 * drain, so a slow encoder slows the writer rather than buffering frames in memory.
 */
export class Mp4Encoder {
  private readonly proc: FfmpegProcess;

  constructor(
    ffmpeg: string,
    out: string,
    private readonly opts: EncodeOptions,
  ) {
    const codec = mp4Codec(ffmpeg);
    const quality = codec === 'libx264' ? ['-preset', 'veryfast', '-crf', '23'] : ['-q:v', '4'];
    this.proc = new FfmpegProcess(
      ffmpeg,
      [
        '-nostdin',
        '-v',
        'error',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-s',
        `${opts.width}x${opts.height}`,
        '-r',
        String(opts.fps),
        '-i',
        'pipe:0',
        // yuv420p needs even sides; pad by a pixel rather than scale the boxes off.
        '-vf',
        'pad=ceil(iw/2)*2:ceil(ih/2)*2',
        '-c:v',
        codec,
        ...quality,
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
        '-y',
        out,
      ],
      opts,
    );
  }

  async write(rgb: Buffer): Promise<void> {
    if (rgb.length !== this.opts.width * this.opts.height * 3)
      throw new Error('frame size does not match the encoder');
    const stdin = this.proc.child.stdin;
    if (!stdin.write(rgb)) {
      await Promise.race([once(stdin, 'drain'), this.proc.exited]);
    }
  }

  /** Closes the input and waits for the file; fails with ffmpeg's reason. */
  async finish(): Promise<void> {
    this.proc.child.stdin.end();
    const exit = await this.proc.exited;
    if (exit.aborted) throw abortReason(this.opts.signal);
    if (exit.code !== 0) {
      throw new Error(
        `encoding the annotated video failed: ${this.proc.stderrTail() || `ffmpeg exit ${exit.code}`}`,
      );
    }
  }

  abort(): void {
    this.proc.kill();
  }
}
