import { z } from 'zod';
import { BoxSchema, DetectionSchema, ModelRefSchema, RleMaskSchema } from './results';
import { ParsePartSchema } from './parse-result';

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

export const TrackedDetectionSchema = DetectionSchema.extend({
  trackId: z.number().int().min(1).nullable().meta({
    description:
      'Stable across frames while the object is tracked (ByteTrack-style: IoU with a constant-velocity motion model, low-score boxes only extend live tracks). `null` for a detection no track took.',
  }),
}).meta({ id: 'TrackedDetection' });
export type TrackedDetection = z.infer<typeof TrackedDetectionSchema>;

/** A parsed person in a video frame: `ParsePerson` with a track id in place of the frame-local id. */
export const TrackedPersonSchema = z
  .strictObject({
    trackId: z.number().int().min(1).nullable(),
    box: BoxSchema,
    score: z.number().min(0).max(1),
    parts: z.array(ParsePartSchema),
    mask: RleMaskSchema,
  })
  .meta({
    id: 'TrackedPerson',
    description:
      'parse on a video: a parsed person with a track id (its box carries the same id in `detections`).',
  });
export type TrackedPerson = z.infer<typeof TrackedPersonSchema>;

export const VideoFrameResultSchema = z
  .strictObject({
    index: z.number().int().min(0).meta({ description: 'Index among the sampled frames, from 0.' }),
    timeSec: z.number().min(0).meta({ description: 'Seconds from the start of the video.' }),
    detections: z.array(TrackedDetectionSchema).meta({
      description: 'detect: the boxes; parse: one `person` box per parsed person, in `persons` order.',
    }),
    persons: z
      .array(TrackedPersonSchema)
      .optional()
      .meta({ description: "parse only: each person's parts and mask, with the same track id as its box." }),
  })
  .meta({ id: 'VideoFrameResult' });
export type VideoFrameResult = z.infer<typeof VideoFrameResultSchema>;

export const VideoTrackSummarySchema = z
  .strictObject({
    trackId: z.number().int().min(1),
    label: z.string(),
    classId: z.number().int().min(0),
    firstFrame: z.number().int().min(0),
    lastFrame: z.number().int().min(0),
    firstSeenSec: z.number().min(0),
    lastSeenSec: z.number().min(0),
    frames: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'Sampled frames in which the track had a detection.' }),
    maxConfidence: z.number().min(0).max(1),
  })
  .meta({ id: 'VideoTrackSummary' });
export type VideoTrackSummary = z.infer<typeof VideoTrackSummarySchema>;

/** The result of a detect or parse job on a video. */
export const VideoResultSchema = z
  .strictObject({
    media: z.literal('video'),
    video: z.strictObject({
      width: z.number().int().min(1),
      height: z.number().int().min(1),
      durationSec: z.number().min(0),
      sourceFps: z.number().min(0).meta({ description: "The source's frame rate." }),
      fps: z.number().min(0).meta({ description: 'The sampling rate the job asked for.' }),
      frameCount: z.number().int().min(0).meta({ description: 'Sampled frames processed.' }),
      codec: z.string().meta({ examples: ['h264'] }),
    }),
    frames: z.array(VideoFrameResultSchema).meta({ description: 'One entry per sampled frame, in order.' }),
    tracks: z.array(VideoTrackSummarySchema).meta({ description: 'One entry per track, by id.' }),
    model: ModelRefSchema,
    artifacts: z.array(z.string()).meta({
      description: 'Artifact names, served at `/v1/jobs/:id/<name>`.',
      examples: [['annotated.mp4', 'contact-sheet.jpg']],
    }),
    timings: z.record(z.string(), z.number()).meta({
      description:
        '`inferMs`, `renderMs`, `totalMs`, `framesPerSecond` (detection), `resumedAtFrame` (0 unless a retry resumed), `queueWaitMs`.',
    }),
  })
  .meta({ id: 'VideoResult', description: 'The result of a detect or parse job on a video.' });
export type VideoResult = z.infer<typeof VideoResultSchema>;
