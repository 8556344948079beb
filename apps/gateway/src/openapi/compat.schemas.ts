import { z } from 'zod';
import { ErrorDetailSchema, RenderedSizeSchema } from '@argus/contracts';

/* The bodies of the compat endpoints (seed Flask and M2FP services, DeepStack / CodeProject.AI). */

export const CompatErrorBodySchema = z
  .strictObject({
    success: z.literal(false),
    error: ErrorDetailSchema,
  })
  .meta({
    id: 'CompatErrorBody',
    description:
      'Errors of `POST /detect` and the DeepStack routes under `/v1/vision/`: those clients look for `success: false`.',
  });
export type CompatErrorBody = z.infer<typeof CompatErrorBodySchema>;

export const SeedParseErrorBodySchema = z
  .strictObject({
    status: z.literal('error'),
    error: ErrorDetailSchema,
  })
  .meta({
    id: 'SeedParseErrorBody',
    description: 'Errors of `POST /api/parse`: M2FP clients look for `status`.',
  });
export type SeedParseErrorBody = z.infer<typeof SeedParseErrorBodySchema>;

export const SeedDetectionSchema = z
  .strictObject({
    class: z.string().meta({ description: 'COCO class name.' }),
    confidence: z.number().min(0).max(1),
    bbox: z
      .array(z.number())
      .min(4)
      .max(4)
      .meta({ description: '[x1, y1, x2, y2] in original-image pixels.' }),
  })
  .meta({ id: 'SeedDetection' });
export type SeedDetection = z.infer<typeof SeedDetectionSchema>;

export const SeedDetectResponseSchema = z
  .strictObject({
    success: z.literal(true),
    detections: z.array(SeedDetectionSchema),
    count: z.number().int().min(0),
  })
  .meta({ id: 'SeedDetectResponse' });
export type SeedDetectResponse = z.infer<typeof SeedDetectResponseSchema>;

export const DeepStackPredictionSchema = z
  .strictObject({
    label: z.string(),
    confidence: z.number().min(0).max(1),
    x_min: z.number().int().meta({ description: 'Rounded to whole pixels.' }),
    y_min: z.number().int(),
    x_max: z.number().int(),
    y_max: z.number().int(),
  })
  .meta({ id: 'DeepStackPrediction' });
export type DeepStackPrediction = z.infer<typeof DeepStackPredictionSchema>;

export const DeepStackDetectionResponseSchema = z
  .strictObject({
    success: z.literal(true),
    predictions: z.array(DeepStackPredictionSchema),
    count: z.number().int().min(0),
    inferenceMs: z
      .number()
      .int()
      .min(0)
      .meta({ description: "The model run's `inferMs`, rounded (a cache hit reports the original run's)." }),
    processMs: z.number().int().min(0).meta({ description: 'Wall time of this request in the gateway.' }),
    code: z.literal(200),
  })
  .meta({ id: 'DeepStackDetectionResponse' });
export type DeepStackDetectionResponse = z.infer<typeof DeepStackDetectionResponseSchema>;

export const SeedParseResponseSchema = z
  .strictObject({
    status: z.literal('success'),
    result_image: z.string().meta({ description: 'The overlay PNG, base64 (no data: prefix).' }),
    num_persons: z.number().int().min(0),
    parts_detected: z.array(z.string()),
    job_id: z
      .string()
      .regex(/^[0-9a-f-]{36}$/)
      .meta({
        description:
          'The job behind the answer: `GET /v1/jobs/{job_id}` has the full `ParseResult`, `labels.png` and the person masks.',
        format: 'uuid',
      }),
    result_image_size: RenderedSizeSchema.optional(),
  })
  .meta({ id: 'SeedParseResponse' });
export type SeedParseResponse = z.infer<typeof SeedParseResponseSchema>;

export const DeepStackModelListSchema = z
  .strictObject({
    success: z.literal(true),
    models: z.array(z.string()).meta({
      description:
        "Ids of the manifest's detection and segmentation models, usable as `{model}` in `POST /v1/vision/custom/{model}`.",
    }),
  })
  .meta({ id: 'DeepStackModelList' });
export type DeepStackModelList = z.infer<typeof DeepStackModelListSchema>;
