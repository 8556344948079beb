import { AppError, VideoOptionsSchema, type Task, type VideoOptions } from '@argus/contracts';
import { sniffVideoFormat, type VideoFormat } from '@argus/vision';

/** Tasks that take a video: each sampled frame runs through the task's model. */
const VIDEO_TASKS: ReadonlySet<Task> = new Set(['detect', 'parse']);

export interface ValidatedVideo {
  bytes: Buffer;
  format: VideoFormat;
  options: VideoOptions;
}

/**
 * Recognises a video upload by its magic bytes (MP4/MOV/WebM/MKV) and checks what can be
 * checked without decoding: the task takes video, the size is within `maxVideoBytes`, and
 * `fps`/`maxFrames` are in range. Duration and frame count are checked by the worker with
 * ffprobe before it decodes a frame. Returns null when the upload is not a video.
 */
export function validateVideo(
  bytes: Buffer,
  task: Task,
  fields: Record<string, unknown>,
  maxVideoBytes: number,
): ValidatedVideo | null {
  const format = sniffVideoFormat(bytes);
  if (!format) return null;
  if (!VIDEO_TASKS.has(task)) {
    throw new AppError('invalid_option', `videos are accepted for task=${[...VIDEO_TASKS].join(', ')}`);
  }
  if (bytes.length > maxVideoBytes) {
    throw new AppError('payload_too_large', `the video is larger than ${maxVideoBytes} bytes`);
  }
  const parsed = VideoOptionsSchema.safeParse({
    fps: fields.fps || undefined,
    maxFrames: fields.maxFrames || undefined,
  });
  if (!parsed.success) {
    throw new AppError(
      'invalid_option',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  return { bytes, format, options: parsed.data };
}
