import { z } from 'zod';
import { DetectOptionsSchema } from './job-catalog';
import { TrackedDetectionSchema } from './video';

export const STREAM_STATES = ['connecting', 'live', 'reconnecting', 'stopped', 'failed'] as const;
export const StreamStateSchema = z.enum(STREAM_STATES).meta({
  id: 'StreamState',
  description:
    '`connecting` until the first frame is processed; `live` while frames are processed; `reconnecting` after the source dropped (backoff 0.5 s doubling to 10 s); `failed` after 20 attempts in a row without a frame; `stopped` once deleted.',
});
export type StreamState = z.infer<typeof StreamStateSchema>;

/** `POST /v1/streams` (JSON). */
export const StreamCreateSchema = z.object({
  /** `rtsp://` (over TCP), `http(s)://` MJPEG or HLS. Checked by the same address guard as webhooks. */
  url: z.string().min(1).max(2048),
  task: z.literal('detect').default('detect'),
  /** Frames processed per second at most; the latest frame wins when inference is slower. Default 2. */
  fps: z.coerce.number().min(0.1).max(30).default(2),
  options: DetectOptionsSchema.omit({ overlay: true }).prefault({}),
});
export type StreamCreate = z.infer<typeof StreamCreateSchema>;

export const StreamMetricsSchema = z
  .strictObject({
    framesIn: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Frames ffmpeg delivered (at the sampling rate).' }),
    framesProcessed: z.number().int().min(0),
    framesDropped: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Frames replaced by a newer one before inference reached them.' }),
    reconnects: z.number().int().min(0),
    lagMs: z.number().min(0).meta({ description: 'Frame arrival to event, last processed frame.' }),
  })
  .meta({ id: 'StreamMetrics' });
export type StreamMetrics = z.infer<typeof StreamMetricsSchema>;

export const StreamViewSchema = z
  .strictObject({
    id: z.string().meta({ format: 'uuid' }),
    url: z.string().meta({ description: 'The source URL, password replaced by `***`.' }),
    task: z.literal('detect'),
    fps: z.number(),
    options: z.record(z.string(), z.unknown()),
    state: StreamStateSchema,
    reason: z
      .string()
      .optional()
      .meta({ description: "Why the stream is reconnecting or failed: ffmpeg's last words." }),
    worker: z.string().optional().meta({ description: "The worker holding the stream's lease, if any." }),
    metrics: StreamMetricsSchema,
    createdAt: z.string().meta({ format: 'date-time' }),
    links: z.strictObject({ self: z.string(), events: z.string() }),
  })
  .meta({ id: 'StreamView' });
export type StreamView = z.infer<typeof StreamViewSchema>;

/** One processed frame, as the events endpoint sends it (the `data` of an SSE `frame` event). */
export const StreamFrameEventSchema = z
  .strictObject({
    seq: z.number().int().min(0).meta({ description: 'Frames processed on this stream before this one.' }),
    capturedAt: z.number().meta({ description: 'When ffmpeg delivered the frame (ms since the epoch).' }),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    detections: z.array(TrackedDetectionSchema),
  })
  .meta({ id: 'StreamFrameEvent' });
export type StreamFrameEvent = z.infer<typeof StreamFrameEventSchema>;
