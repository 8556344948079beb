import { z } from 'zod';
import { TaskSchema } from '@argus/contracts';

export const PreprocessSchema = z.object({
  /** `letterbox`: fit without distortion and pad (YOLO). */
  resize: z.enum(['letterbox']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Pad value (0–255) for letterbox borders. */
  pad: z.number().int().min(0).max(255).default(114),
  /** Pixel normalisation `x * scale + offset`, applied to 0–255 RGB. */
  scale: z.number(),
  offset: z.number().default(0),
});

export const ModelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  task: TaskSchema,
  /** The task's model when a request names none; exactly one per task. */
  default: z.boolean().default(false),
  /** Decoder family: how outputs are read. */
  format: z.enum(['yolov8']),
  file: z.string().regex(/^[^/\\]+\.onnx$/),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Public download URL; null when the file is only available from a mirror. */
  url: z.string().url().nullable(),
  source: z.string(),
  license: z.string(),
  input: z.object({
    name: z.string(),
    shape: z.array(z.union([z.number().int().positive(), z.string()])),
  }),
  outputs: z.record(z.string(), z.string()),
  batch: z.object({ dynamic: z.boolean() }),
  preprocess: PreprocessSchema,
  /** Label file relative to the models folder, one name per line in class-id order. */
  labels: z.string(),
  labelsSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

export const ManifestSchema = z
  .object({ models: z.array(ModelEntrySchema).min(1) })
  .superRefine((m, ctx) => {
    const ids = new Set<string>();
    for (const entry of m.models) {
      if (ids.has(entry.id)) ctx.addIssue({ code: 'custom', message: `duplicate model id "${entry.id}"` });
      ids.add(entry.id);
    }
    for (const task of new Set(m.models.map((e) => e.task))) {
      const defaults = m.models.filter((e) => e.task === task && e.default).length;
      if (defaults !== 1) {
        ctx.addIssue({ code: 'custom', message: `task "${task}" needs exactly one default model, has ${defaults}` });
      }
    }
  });
export type Manifest = z.infer<typeof ManifestSchema>;
