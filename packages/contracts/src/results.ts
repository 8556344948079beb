import { z } from 'zod';

/*
 * What the workers store and `GET /v1/jobs/:id` answers as `result`, as zod schemas: the
 * types come from `z.infer`, the OpenAPI document is generated from them (each `id` is its
 * component name) and tests parse real pipeline output with them. Objects are strict, so a
 * field added on one side and not the other fails a test instead of drifting.
 */

/** Milliseconds spent in one stage. */
export const ms = (description: string) => z.number().min(0).meta({ description });

export const BoxSchema = z
  .strictObject({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() })
  .meta({ id: 'Box', description: 'Box corners in original-image pixels, after EXIF orientation.' });
export type Box = z.infer<typeof BoxSchema>;

export const ImageSizeSchema = z
  .strictObject({ width: z.number().int().min(1), height: z.number().int().min(1) })
  .meta({ id: 'ImageSize', description: 'Size of the decoded image after EXIF orientation.' });
export type ImageSize = z.infer<typeof ImageSizeSchema>;

export const ModelRefSchema = z
  .strictObject({
    id: z.string(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: 'SHA-256 of the model file.' }),
  })
  .meta({ id: 'ModelRef' });
export type ModelRef = z.infer<typeof ModelRefSchema>;

export const RenderedSizeSchema = z
  .strictObject({
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    scale: z.number().gt(0).max(1).meta({ description: 'Rendered width ÷ image width (< 1: downscaled).' }),
  })
  .meta({
    id: 'RenderedSize',
    description:
      "overlay.png was drawn smaller than the image, to stay within MAX_RENDER_PIXELS (default 4 MP); the result's boxes and masks stay in original-image pixels.",
  });
export type RenderedSize = z.infer<typeof RenderedSizeSchema>;

export const DetectionSchema = z
  .strictObject({
    label: z
      .string()
      .meta({ description: 'Class name (COCO for the default models).', examples: ['person'] }),
    classId: z.number().int().min(0),
    confidence: z.number().min(0).max(1),
    box: BoxSchema,
  })
  .meta({ id: 'Detection' });
export type Detection = z.infer<typeof DetectionSchema>;

/**
 * Stages the worker times around any model run: added by the worker's processor and
 * inference bounds after the pipeline returns, so a pipeline's own result has none of them.
 */
export const workerTimings = {
  queueWaitMs: ms('Time the job waited in the BullMQ queue before a worker took it.').optional(),
  pixelWaitMs: ms(
    'Time the job waited on its worker for its decoded pixels to fit WORKER_PIXEL_BUDGET.',
  ).optional(),
  threadWaitMs: ms(
    "Time the job spent on its worker's inference thread behind other jobs: wall time there minus its own stages.",
  ).optional(),
};

/** Where a detection's (or segmentation's) time went, in ms, rounded to 0.1 ms. */
export const DetectTimingsSchema = z
  .strictObject({
    decodeMs: ms('Decode and letterbox (sharp).'),
    preMs: ms('Preprocessing after decode (tensor layout, normalisation).'),
    batchWaitMs: ms("Time the prepared input waited in its model's batcher before its run started."),
    batchSize: z.number().int().min(1).meta({
      description: 'Images in the model run that served this job (shared with the rest of its batch).',
    }),
    inferMs: ms('The model run that served the image (shared with the rest of its batch).'),
    postMs: ms('Decode boxes and NMS (segment: masks and RLE too; and the overlay when drawn).'),
    ...workerTimings,
  })
  .meta({ id: 'DetectTimings' });
export type DetectTimings = z.infer<typeof DetectTimingsSchema>;

/** The fields a detection and a segmentation result share besides their list. */
const letterboxedResult = {
  count: z.number().int().min(0),
  image: ImageSizeSchema,
  model: ModelRefSchema,
  timings: DetectTimingsSchema,
  /** Present when overlay.png was drawn smaller than the image (MAX_RENDER_PIXELS). */
  overlay: RenderedSizeSchema.optional(),
};

export const DetectResultSchema = z
  .strictObject({
    detections: z.array(DetectionSchema).meta({ description: 'Highest confidence first.' }),
    ...letterboxedResult,
  })
  .meta({ id: 'DetectResult' });
export type DetectResult = z.infer<typeof DetectResultSchema>;

export const RleMaskSchema = z
  .strictObject({
    size: z
      .tuple([z.number().int().min(0), z.number().int().min(0)])
      .meta({ description: '[height, width].' }),
    counts: z.array(z.number().int().min(0)),
  })
  .meta({
    id: 'RleMask',
    description:
      "A binary mask in COCO's uncompressed run-length encoding: pixels in column-major order, `counts` alternating runs of 0s and 1s starting with 0s (`counts[0]` may be 0). pycocotools reads it with `mask.frPyObjects(rle, h, w)`.",
  });
export type RleMask = z.infer<typeof RleMaskSchema>;

export const SegmentInstanceSchema = DetectionSchema.extend({
  mask: RleMaskSchema.meta({
    description:
      "The instance's pixels at the original (EXIF-oriented) size: sigmoid(coefficients × prototypes) on the prototype grid, cropped to the box, resampled through the inverse letterbox, thresholded at 0.5. Set pixels lie inside `box`.",
  }),
  area: z.number().int().min(0).meta({ description: 'Set pixels of `mask`.' }),
}).meta({ id: 'SegmentInstance', description: 'One instance: a detection plus its mask.' });
export type SegmentInstance = z.infer<typeof SegmentInstanceSchema>;

export const SegmentResultSchema = z
  .strictObject({
    instances: z.array(SegmentInstanceSchema).meta({
      description: "Highest confidence first; `links.masks[n]` is `instances[n]`'s mask as PNG.",
    }),
    ...letterboxedResult,
  })
  .meta({ id: 'SegmentResult' });
export type SegmentResult = z.infer<typeof SegmentResultSchema>;

export const JOB_STATUSES = ['queued', 'active', 'completed', 'failed', 'canceled'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES).meta({
  id: 'JobStatus',
  description:
    '`queued` covers waiting, delayed (backoff between attempts) and prioritized jobs. `canceled`: removed while queued, or stopped while running, on request (DELETE).',
});
export type JobStatus = z.infer<typeof JobStatusSchema>;
