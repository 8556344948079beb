import { z } from 'zod';
import type { Box, ModelRef, ParsePart, RleMask } from './results';

/** Options a video job takes on top of its task's options (`detect`). */
export const VideoOptionsSchema = z.object({
  /** Frames sampled per second of video. Default 5. */
  fps: z.coerce.number().min(0.1).max(60).default(5),
  /** A video that samples to more frames than this fails with `video_too_long`. Default 3000. */
  maxFrames: z.coerce.number().int().min(1).max(100_000).default(3000),
});
export type VideoOptions = z.infer<typeof VideoOptionsSchema>;

/** Options that change a video result besides the task's own (see `JOB_CATALOG`). */
export const VIDEO_CACHE_KEY_OPTIONS = ['media', 'fps', 'maxFrames'] as const;

export interface TrackedDetection {
  label: string;
  classId: number;
  confidence: number;
  box: Box;
  /** Stable across frames while the object is tracked; null for a detection no track took. */
  trackId: number | null;
}

/** A parsed person in a video frame: `ParsePerson` with a track id in place of the frame-local id. */
export interface TrackedPerson {
  trackId: number | null;
  box: Box;
  score: number;
  parts: ParsePart[];
  mask: RleMask;
}

export interface VideoFrameResult {
  /** Index among the sampled frames, from 0. */
  index: number;
  /** Seconds from the start of the video. */
  timeSec: number;
  /** detect: the boxes; parse: one `person` box per parsed person, in `persons` order. */
  detections: TrackedDetection[];
  /** parse only: each person's parts and mask, with the same track id as its box. */
  persons?: TrackedPerson[];
}

export interface VideoTrackSummary {
  trackId: number;
  label: string;
  classId: number;
  firstFrame: number;
  lastFrame: number;
  firstSeenSec: number;
  lastSeenSec: number;
  /** Sampled frames in which the track had a detection. */
  frames: number;
  maxConfidence: number;
}

/** The result of a detect or parse job on a video. */
export interface VideoResult {
  media: 'video';
  video: {
    width: number;
    height: number;
    durationSec: number;
    /** The source's frame rate. */
    sourceFps: number;
    /** The sampling rate the job asked for. */
    fps: number;
    /** Sampled frames processed. */
    frameCount: number;
    codec: string;
  };
  frames: VideoFrameResult[];
  tracks: VideoTrackSummary[];
  model: ModelRef;
  /** Artifact names, served at `/v1/jobs/:id/<name>`. */
  artifacts: string[];
  timings: Record<string, number>;
}
