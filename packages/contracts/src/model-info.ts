import { z } from 'zod';
import { TaskSchema } from './job-catalog';

export const MODEL_STATES = ['ready', 'missing', 'not_loaded'] as const;

/** One model of the manifest as `GET /v1/models` lists it. */
export const ModelInfoSchema = z
  .strictObject({
    id: z.string(),
    task: TaskSchema,
    /** The task's model when a request names none. */
    default: z.boolean(),
    /** Decoder family (`yolov8`, `bodypix`, `sch-fusion`, `yolov8-seg`, …). */
    format: z.string(),
    labels: z
      .strictObject({ count: z.number().int().min(0), names: z.array(z.string()) })
      .meta({ description: 'The class or part names, in class-id order.' }),
    input: z
      .strictObject({
        name: z.string(),
        /** Dimensions; a string names a dynamic one (`batch`, `height`). */
        shape: z.array(z.union([z.number().int(), z.string()])),
        layout: z.enum(['NCHW', 'NHWC']),
        width: z.number().int().min(1),
        height: z.number().int().min(1),
        /** `letterbox`: fit into width×height and pad; `stride`: any size up to width×height on the model's stride. */
        resize: z.enum(['letterbox', 'stride']),
        channelOrder: z.enum(['rgb', 'bgr']),
      })
      .meta({ description: "The network's input and how an image is fitted to it." }),
    options: z.record(z.string(), z.unknown()).meta({
      description: "The task's option defaults from the job catalog (what a job gets when it sends none).",
    }),
    status: z.enum(MODEL_STATES).meta({
      description:
        '`ready`: a live worker loaded it; `missing`: this server could not install it (`reason` says why); `not_loaded`: installed, no live worker has it loaded.',
    }),
    reason: z.string().optional(),
    workers: z
      .array(z.string())
      .meta({ description: 'Ids of the live workers that have it loaded (a session created).' }),
    onDemand: z.array(z.string()).meta({
      description:
        'Ids of the live workers that serve it but create its session on its first job (models no default model needs).',
    }),
  })
  .meta({ id: 'ModelInfo' });
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const ModelListSchema = z
  .strictObject({ models: z.array(ModelInfoSchema).meta({ description: 'In manifest order.' }) })
  .meta({ id: 'ModelList' });
export type ModelList = z.infer<typeof ModelListSchema>;
