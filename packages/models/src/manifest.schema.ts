import { z } from 'zod';
import { TaskSchema } from '@argus/contracts';

const channelTriple = z.tuple([z.number(), z.number(), z.number()]);

export const PreprocessSchema = z.object({
  /**
   * `letterbox`: fit without distortion into a fixed `width`×`height` and pad (YOLO, SCHP).
   * `stride`: any input size whose sides have the form `stride`·k + 1 (BodyPix); `width` and
   * `height` are then the largest input used (the long side of a whole image or a crop).
   */
  resize: z.enum(['letterbox', 'stride']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Pad value (0–255) for letterbox borders and for crop areas outside the image. */
  pad: z.number().int().min(0).max(255).default(114),
  /** Pixel normalisation `x * scale + offset`, applied to 0–255 values. */
  scale: z.number(),
  offset: z.number().default(0),
  /** Channel order of the network input. Default `rgb`; SCHP's torch models read `bgr`. */
  channelOrder: z.enum(['rgb', 'bgr']).default('rgb'),
  /**
   * Optional per-channel standardisation after scale/offset, `(x·scale + offset − mean) / std`,
   * listed in `channelOrder` (ImageNet statistics for SCHP).
   */
  mean: channelTriple.optional(),
  std: channelTriple.optional(),
  /** `stride` resize: the network's output stride (BodyPix: 16). */
  stride: z.number().int().positive().optional(),
});

/**
 * Decoder families. `yolov8`: detection head. `bodypix`: BodyPix 2.0 (`segments` person
 * logit + `parts` 24 part logits, sigmoid person mask; optional `heatmaps` + `offsets` for
 * pose keypoints). `schp`: a LIP/CIHP 20-class parser such as SCHP (`logits`: one NCHW logit
 * per class, class 0 background). `sch-fusion`: a skin / clothes / hair segmenter (`probs`:
 * three NCHW probability planes) fused with the BodyPix model named in `fuse.parts`; the
 * entry is the fused parse model, its file the segmenter.
 */
export const MODEL_FORMATS = ['yolov8', 'bodypix', 'schp', 'sch-fusion'] as const;

export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** Which task each format serves, the `outputs` keys its decoder reads and the resize its pipeline implements. */
export const FORMAT_RULES: Record<ModelFormat, { task: string; outputs: readonly string[]; resize: string }> =
  {
    yolov8: { task: 'detect', outputs: ['detections'], resize: 'letterbox' },
    bodypix: { task: 'parse', outputs: ['segments', 'parts'], resize: 'stride' },
    schp: { task: 'parse', outputs: ['logits'], resize: 'letterbox' },
    'sch-fusion': { task: 'parse', outputs: ['probs'], resize: 'letterbox' },
  };

export const ModelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  task: TaskSchema,
  /** The task's model when a request names none; exactly one per task. */
  default: z.boolean().default(false),
  /** Decoder family: how outputs are read (see MODEL_FORMATS). */
  format: z.enum(MODEL_FORMATS),
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
  /** `sch-fusion` only: the BodyPix model (manifest id) whose part map the segmenter is fused with. */
  fuse: z.object({ parts: z.string() }).optional(),
});
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

export const ManifestSchema = z.object({ models: z.array(ModelEntrySchema).min(1) }).superRefine((m, ctx) => {
  const ids = new Set<string>();
  for (const entry of m.models) {
    if (ids.has(entry.id)) ctx.addIssue({ code: 'custom', message: `duplicate model id "${entry.id}"` });
    ids.add(entry.id);
  }
  m.models.forEach((entry, i) => {
    const rule = FORMAT_RULES[entry.format];
    if (entry.task !== rule.task) {
      ctx.addIssue({
        code: 'custom',
        path: ['models', i, 'task'],
        message: `model "${entry.id}": format "${entry.format}" serves task "${rule.task}", not "${entry.task}"`,
      });
    }
    for (const key of rule.outputs) {
      if (!entry.outputs[key]) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'outputs', key],
          message: `model "${entry.id}": format "${entry.format}" needs outputs.${key}`,
        });
      }
    }
    if (entry.format === 'sch-fusion') {
      const parts = m.models.find((other) => other.id === entry.fuse?.parts);
      if (!parts || parts.format !== 'bodypix') {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'fuse', 'parts'],
          message: `model "${entry.id}": fuse.parts must name a bodypix model of the manifest`,
        });
      }
    }
    const pre = entry.preprocess;
    if (pre.resize !== rule.resize) {
      ctx.addIssue({
        code: 'custom',
        path: ['models', i, 'preprocess', 'resize'],
        message: `model "${entry.id}": format "${entry.format}" needs resize "${rule.resize}"`,
      });
    } else if (pre.resize === 'stride') {
      const stride = pre.stride;
      if (!stride) {
        const path = ['models', i, 'preprocess', 'stride'];
        ctx.addIssue({ code: 'custom', path, message: 'stride resize needs a stride' });
      } else if ((pre.width - 1) % stride !== 0 || (pre.height - 1) % stride !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'preprocess'],
          message: `model "${entry.id}": width and height must be ${stride}k+1, got ${pre.width}x${pre.height}`,
        });
      }
    }
  });
  for (const task of new Set(m.models.map((e) => e.task))) {
    const defaults = m.models.filter((e) => e.task === task && e.default).length;
    if (defaults !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `task "${task}" needs exactly one default model, has ${defaults}`,
      });
    }
  }
});
export type Manifest = z.infer<typeof ManifestSchema>;
