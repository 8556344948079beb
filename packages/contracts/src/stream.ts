import { z } from 'zod';
import { DetectOptionsSchema, ParseOptionsSchema } from './job-catalog';
import type { DeliveryJobData } from './lifecycle';
import type { TrackedDetection, TrackedPerson } from './video';

export const STREAM_STATES = ['connecting', 'live', 'reconnecting', 'stopped', 'failed'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

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

export interface StreamMetrics {
  /** Frames ffmpeg delivered (at the sampling rate). */
  framesIn: number;
  framesProcessed: number;
  /** Frames replaced by a newer one before inference reached them. */
  framesDropped: number;
  reconnects: number;
  /** Frame arrival to event, last processed frame. */
  lagMs: number;
}

export interface StreamView {
  id: string;
  url: string;
  task: StreamCreate['task'];
  fps: number;
  options: Record<string, unknown>;
  state: StreamState;
  /** Why the stream is reconnecting or failed: ffmpeg's last words. */
  reason?: string;
  /** The worker holding the stream's lease, if any. */
  worker?: string;
  metrics: StreamMetrics;
  /** Track begin/end webhooks go here. */
  callbackUrl?: string;
  createdAt: string;
  links: { self: string; events: string };
}

/** One processed frame, as the events endpoint sends it. */
export interface StreamFrameEvent {
  /** Frames processed on this stream before this one. */
  seq: number;
  /** When ffmpeg delivered the frame (ms since the epoch). */
  capturedAt: number;
  width: number;
  height: number;
  detections: TrackedDetection[];
  /** parse streams: each person's parts and mask, with the same track id as its `person` box. */
  persons?: TrackedPerson[];
}

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
