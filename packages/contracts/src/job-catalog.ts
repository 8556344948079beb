import { z } from 'zod';
import { DetectResultSchema, SegmentResultSchema } from './results';
import { PARSE_MODES, ParseResultSchema } from './parse-result';
import { VideoResultSchema } from './video';

/**
 * The job catalog: one entry per task with its queue, options schema and retry policy.
 * The gateway validates options with these schemas before enqueueing and the worker
 * re-parses job data with them, so both sides agree on defaults.
 */
export const TASKS = ['detect', 'parse', 'segment'] as const;
export const TaskSchema = z.enum(TASKS).meta({
  id: 'Task',
  description:
    '`detect`: YOLOv8 object detection (80 COCO classes). `parse`: multi-person human parsing into 20 LIP labels. `segment`: YOLOv8 instance segmentation (80 COCO classes): boxes and one RLE mask per instance.',
});
export type Task = z.infer<typeof TaskSchema>;

const probability = z.coerce.number().min(0).max(1);

/**
 * A form-field boolean: "true"/"false"/"1"/"0" (z.coerce.boolean would read "false" as
 * true). Already-parsed booleans pass too, so the worker can re-parse job data.
 */
const formBoolean = z.preprocess(
  (v) => (typeof v === 'boolean' ? String(v) : v),
  z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
);

/*
 * Each option's description is its documentation: the generated OpenAPI document shows it on
 * the form fields of every route that takes the option.
 */
const modelField = (description: string) => z.string().min(1).max(100).optional().meta({ description });
/** A form-coerced count cap (1 to `max`), `fallback` when omitted. */
const upperBound = (max: number, fallback: number, description: string) =>
  z.coerce.number().int().min(1).max(max).default(fallback).meta({ description });
const CONFIDENCE = 'Minimum class confidence kept. Default 0.25.';
const IOU = 'IoU above which NMS drops the lower-scored box of the same class. Default 0.45.';

export const DetectOptionsSchema = z.object({
  model: modelField("Model id from the manifest; the task's default model when omitted."),
  confidence: probability.default(0.25).meta({ description: CONFIDENCE }),
  iou: probability.default(0.45).meta({ description: IOU }),
  maxDetections: upperBound(1000, 300, 'Upper bound on returned detections. Default 300.'),
  overlay: formBoolean.meta({
    description:
      'Also render `overlay.png` (the photo with labelled boxes). Off by default: it costs a full-resolution decode and a PNG encode per job, about as much as the model run.',
  }),
});
export type DetectOptions = z.infer<typeof DetectOptionsSchema>;

export const ParseOptionsSchema = z.object({
  model: modelField("Model id from the manifest (a parse model); the task's default model when omitted."),
  threshold: probability.default(0.5).meta({
    description:
      "Person threshold: a pixel is a person where the parse model's person probability (BodyPix: sigmoid(segments); LIP parsers: 1 − softmax(background)) exceeds it. Default 0.5.",
  }),
  alpha: probability.default(0.5).meta({ description: 'Overlay opacity of the part colours. Default 0.5.' }),
  mode: z.enum(PARSE_MODES).default('crops').meta({
    description:
      "`crops` (default): find people with the person detector, parse each person's crop at the parse model's resolution and paste the parts back, so small and distant people get as many model pixels as large ones. `whole`: parse the whole image in one pass and split people by connected regions. `crops` falls back to `whole` when the worker has no detector loaded; the result's `mode` says which ran.",
  }),
  personConfidence: probability
    .default(0.25)
    .meta({ description: '`crops` mode: minimum detector confidence for a person box. Default 0.25.' }),
  maxPersons: upperBound(
    100,
    20,
    'Upper bound on people parsed (highest detector scores first). Default 20.',
  ),
  pose: formBoolean.meta({
    description: "Also draw each person's pose skeleton (17 COCO keypoints) on `overlay.png`. Default false.",
  }),
});
export type ParseOptions = z.infer<typeof ParseOptionsSchema>;

export const SegmentOptionsSchema = z.object({
  model: modelField(
    "Model id from the manifest (format `yolov8-seg`); the task's default model when omitted.",
  ),
  confidence: probability.default(0.25).meta({ description: CONFIDENCE }),
  iou: probability.default(0.45).meta({ description: IOU }),
  maxDetections: upperBound(
    300,
    100,
    'Upper bound on returned instances. Default 100 (each carries a mask).',
  ),
  overlay: z
    .preprocess(
      (v) => (typeof v === 'boolean' ? String(v) : v),
      z
        .enum(['true', 'false', '1', '0'])
        .default('true')
        .transform((v) => v === 'true' || v === '1'),
    )
    .meta({
      description:
        'Render `overlay.png` (coloured instance masks with labelled boxes). Default true; the DeepStack routes turn it off, as it costs about as much as the model run.',
    }),
});
export type SegmentOptions = z.infer<typeof SegmentOptionsSchema>;

export interface TaskDefinition<S extends z.ZodType, R extends z.ZodType = z.ZodType> {
  task: Task;
  /** BullMQ queue name (before the key prefix). */
  queueName: string;
  optionsSchema: S;
  /** What a completed job's `result` holds for an image (strict: tests parse real output with it). */
  resultSchema: R;
  /** The result for a video, on tasks that take videos (`POST /v1/jobs` with a video file). */
  videoResultSchema?: z.ZodType;
  /** Options that change the result, in cache-key order. `model` is keyed separately. */
  cacheKeyOptions: readonly string[];
  attempts: number;
  backoffMs: number;
}

export const JOB_CATALOG = {
  detect: {
    task: 'detect',
    queueName: 'detect',
    optionsSchema: DetectOptionsSchema,
    resultSchema: DetectResultSchema,
    videoResultSchema: VideoResultSchema,
    cacheKeyOptions: ['confidence', 'iou', 'maxDetections', 'overlay'],
    attempts: 3,
    backoffMs: 1000,
  },
  parse: {
    task: 'parse',
    queueName: 'parse',
    optionsSchema: ParseOptionsSchema,
    resultSchema: ParseResultSchema,
    videoResultSchema: VideoResultSchema,
    cacheKeyOptions: ['threshold', 'alpha', 'mode', 'personConfidence', 'maxPersons', 'pose'],
    attempts: 3,
    backoffMs: 1000,
  },
  segment: {
    task: 'segment',
    queueName: 'segment',
    optionsSchema: SegmentOptionsSchema,
    resultSchema: SegmentResultSchema,
    cacheKeyOptions: ['confidence', 'iou', 'maxDetections', 'overlay'],
    attempts: 3,
    backoffMs: 1000,
  },
} as const satisfies { [T in Task]: TaskDefinition<z.ZodType> };

/**
 * What a job carries in BullMQ. Image bytes never travel in job data: they sit under
 * `blobKey` with a TTL.
 */
export const JobDataSchema = z.object({
  task: TaskSchema,
  blobKey: z.string(),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  /** Resolved model id (never empty: the gateway resolves the default). */
  modelId: z.string(),
  /** Options already validated and defaulted by the task's schema. */
  options: z.record(z.string(), z.unknown()),
  /** Where the worker stores the result; also the result-cache key. */
  resultKey: z.string(),
  /** Request id that follows the job into the worker's logs. */
  requestId: z.string().optional(),
  submittedAt: z.number(),
  /** Id of the API key that submitted the job; only it (and admin keys) may see it. Absent in open mode. */
  owner: z.string().optional(),
  /** `video`: the blob is a video (MP4/MOV/WebM/MKV) and `options` carry fps and maxFrames too. */
  media: z.enum(['image', 'video']).optional(),
});
export type JobData = z.infer<typeof JobDataSchema>;

/** A job's return value holds only a reference: results live under their own key. */
export const JobReturnSchema = z.object({
  resultKey: z.string(),
  timings: z.record(z.string(), z.number()).optional(),
});
export type JobReturn = z.infer<typeof JobReturnSchema>;
