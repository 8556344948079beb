import { z } from 'zod';
import { DetectOptionsSchema, ParseOptionsSchema } from './job-catalog';
import type { DeliveryJobData } from './lifecycle';
import { TrackedDetectionSchema, TrackedPersonSchema } from './video';

export const STREAM_STATES = ['connecting', 'live', 'reconnecting', 'stopped', 'failed'] as const;
export const StreamStateSchema = z.enum(STREAM_STATES).meta({
  id: 'StreamState',
  description:
    '`connecting` until the first frame is processed; `live` while frames are processed; `reconnecting` after the source dropped (backoff 0.5 s doubling to 10 s); `failed` after 20 attempts in a row without a frame; `stopped` once deleted.',
});
export type StreamState = z.infer<typeof StreamStateSchema>;

const StreamBaseSchema = z.object({
  /** `rtsp://` (over TCP), `http(s)://` MJPEG or HLS. Checked by the same address guard as webhooks. */
  url: z.string().min(1).max(2048),
  /** Frames processed per second at most; the latest frame wins when inference is slower. Default 2. */
  fps: z.coerce.number().min(0.1).max(30).default(2),
  /**
   * Where Argus POSTs signed `track.begin` / `track.end` events (the job webhooks' signing,
   * delivery log, retries and address guard).
   */
  callbackUrl: z.string().min(1).max(2048).optional(),
});

/** A detect stream: tracked boxes per frame. */
export const DetectStreamCreateSchema = StreamBaseSchema.extend({
  task: z.literal('detect'),
  options: DetectOptionsSchema.omit({ overlay: true }).prefault({}),
});

/** A parse stream: per-frame persons with parts (and a tracked `person` box each). */
export const ParseStreamCreateSchema = StreamBaseSchema.extend({
  task: z.literal('parse'),
  options: ParseOptionsSchema.prefault({}),
});

/** `POST /v1/streams` (JSON). `task` is `detect` (default) or `parse`. */
export const StreamCreateSchema = z.preprocess(
  (body) => (body && typeof body === 'object' && !('task' in body) ? { ...body, task: 'detect' } : body),
  z.discriminatedUnion('task', [DetectStreamCreateSchema, ParseStreamCreateSchema]),
);
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
    task: z.enum(['detect', 'parse']),
    fps: z.number(),
    options: z.record(z.string(), z.unknown()),
    state: StreamStateSchema,
    reason: z
      .string()
      .optional()
      .meta({ description: "Why the stream is reconnecting or failed: ffmpeg's last words." }),
    worker: z.string().optional().meta({ description: "The worker holding the stream's lease, if any." }),
    metrics: StreamMetricsSchema,
    callbackUrl: z.string().optional().meta({ description: 'Track begin/end webhooks go here.' }),
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
    persons: z.array(TrackedPersonSchema).optional().meta({
      description: "parse streams: each person's parts and mask, with the same track id as its `person` box.",
    }),
  })
  .meta({ id: 'StreamFrameEvent' });
export type StreamFrameEvent = z.infer<typeof StreamFrameEventSchema>;

/** Webhook events of a live stream. */
export const STREAM_WEBHOOK_EVENTS = ['track.begin', 'track.end'] as const;
export type StreamWebhookEvent = (typeof STREAM_WEBHOOK_EVENTS)[number];

/** A track of a live stream, as its webhooks describe it. */
export interface StreamTrack {
  trackId: number;
  label: string;
  classId: number;
  /** When the track was first and last seen (frame arrival, ISO 8601). */
  firstSeenAt: string;
  lastSeenAt: string;
  /** Processed frames it was seen in. */
  frames: number;
  bestConfidence: number;
  /** Its box when last seen, in frame pixels. */
  box: { x1: number; y1: number; x2: number; y2: number };
}

/**
 * The body of a stream webhook: `{event, deliveryId, stream, track, reason?}`, signed like
 * job webhooks. `reason` on `track.end`: `lost` (not seen for about 2 s of frames) or
 * `source_lost` (the camera dropped; tracks restart after the reconnect).
 */
export interface StreamTrackWebhook {
  event: StreamWebhookEvent;
  deliveryId: string;
  stream: { id: string; url: string };
  track: StreamTrack;
  reason?: 'lost' | 'source_lost';
}

/** A stream webhook on the webhooks queue: small JSON, carried whole (no bytes, no results). */
export interface StreamDeliveryJobData {
  kind: 'stream';
  deliveryId: string;
  /** The stream the delivery reports on (deliveries are listed under it). */
  streamId: string;
  url: string;
  body: StreamTrackWebhook;
}

/** What the webhooks queue carries: a job's outcome or a stream's track event. */
export type WebhookJobData = DeliveryJobData | StreamDeliveryJobData;
