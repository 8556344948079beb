import { AppError } from '@argus/contracts';
import { abortReason, FfmpegProcess, type FfmpegRun } from './ffmpeg-process';

export interface VideoProbe {
  /** Display size: after the rotation in the file's metadata, as ffmpeg decodes it. */
  width: number;
  height: number;
  durationSec: number;
  /** The stream's average frame rate. */
  fps: number;
  /** Frames in the stream: the container's count, or duration × fps when it has none. */
  frameCount: number;
  codec: string;
  format: string;
}

interface ProbeJson {
  streams?: Array<{
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    r_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
    tags?: { rotate?: string };
    side_data_list?: Array<{ rotation?: number }>;
  }>;
  format?: { duration?: string; format_name?: string };
}

/** Reads size, duration and frame rate with ffprobe, without decoding a frame. */
export async function probeVideo(ffprobe: string, file: string, run: FfmpegRun = {}): Promise<VideoProbe> {
  const proc = new FfmpegProcess(
    ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:stream_tags=rotate:stream_side_data=rotation:format=duration,format_name',
      '-of',
      'json',
      file,
    ],
    run,
  );
  proc.child.stdin.end();
  const chunks: Buffer[] = [];
  proc.child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exit = await proc.exited;
  if (exit.aborted) throw abortReason(run.signal);
  if (exit.timedOut) throw new AppError('timeout', 'ffprobe did not answer in time');
  if (exit.code !== 0) {
    throw new AppError(
      'invalid_video',
      `the video cannot be read: ${proc.stderrTail() || `ffprobe exit ${exit.code}`}`,
    );
  }
  const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProbeJson;
  const stream = json.streams?.[0];
  if (!stream) throw new AppError('invalid_video', 'the file has no video stream');
  if (!stream.width || !stream.height)
    throw new AppError('invalid_video', 'the video stream has no frame size');
  const fps = rate(stream.avg_frame_rate) || rate(stream.r_frame_rate);
  const durationSec = Number(stream.duration ?? json.format?.duration);
  if (!(fps > 0) || !(durationSec > 0)) {
    throw new AppError('invalid_video', 'the video has no usable duration or frame rate');
  }
  const rotation = Number(
    stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? stream.tags?.rotate ?? 0,
  );
  const quarterTurn = Math.abs(rotation) % 180 === 90;
  const counted = Number(stream.nb_frames);
  return {
    width: quarterTurn ? stream.height : stream.width,
    height: quarterTurn ? stream.width : stream.height,
    durationSec,
    fps,
    frameCount: counted > 0 ? counted : Math.round(durationSec * fps),
    codec: stream.codec_name ?? 'unknown',
    format: json.format?.format_name ?? 'unknown',
  };
}

/** "30000/1001" → 29.97; "0/0" → 0. */
function rate(text: string | undefined): number {
  const [num, den] = (text ?? '').split('/').map(Number);
  return den > 0 && num > 0 ? num / den : 0;
}

export interface VideoLimits {
  /** Sampling rate the job asked for. */
  fps: number;
  maxFrames: number;
  maxDurationSec: number;
  maxPixels: number;
}

/**
 * The frames a job will sample, checked against the limits before any decoding: a video
 * that is too long or too large fails at once with a code that says which bound it broke.
 * Sampling never produces more frames than the stream has.
 */
export function plannedFrames(probe: VideoProbe, limits: VideoLimits): number {
  if (probe.durationSec > limits.maxDurationSec) {
    throw new AppError(
      'video_too_long',
      `the video runs ${probe.durationSec.toFixed(1)} s; at most ${limits.maxDurationSec} s are accepted`,
    );
  }
  if (probe.width * probe.height > limits.maxPixels) {
    throw new AppError(
      'image_too_large',
      `video frames are ${probe.width}x${probe.height}; at most ${limits.maxPixels} pixels are accepted`,
    );
  }
  const frames = Math.max(1, Math.min(probe.frameCount, Math.round(probe.durationSec * limits.fps)));
  if (frames > limits.maxFrames) {
    throw new AppError(
      'video_too_long',
      `sampling ${probe.durationSec.toFixed(1)} s at ${limits.fps} fps gives ${frames} frames; maxFrames is ${limits.maxFrames}`,
    );
  }
  return frames;
}
