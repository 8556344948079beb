import { z } from 'zod';
import { DetectOptionsSchema } from './job-catalog';
import type { TrackedDetection } from './video';

export const STREAM_STATES = ['connecting', 'live', 'reconnecting', 'stopped', 'failed'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

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
  task: 'detect';
  fps: number;
  options: Record<string, unknown>;
  state: StreamState;
  /** Why the stream is reconnecting or failed: ffmpeg's last words. */
  reason?: string;
  /** The worker holding the stream's lease, if any. */
  worker?: string;
  metrics: StreamMetrics;
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
}
