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
 * entry is the fused parse model, its file the segmenter. `yolov8-seg`: YOLOv8 instance
 * segmentation (`detections`: [4 + classes + 32, anchors] with mask coefficients; `protos`:
 * [32, h, w] mask prototypes).
 */
export const MODEL_FORMATS = ['yolov8', 'bodypix', 'schp', 'sch-fusion', 'yolov8-seg'] as const;

export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** Which task each format serves, the `outputs` keys its decoder reads and the resize its pipeline implements. */
export const FORMAT_RULES: Record<ModelFormat, { task: string; outputs: readonly string[]; resize: string }> =
  {
    yolov8: { task: 'detect', outputs: ['detections'], resize: 'letterbox' },
    bodypix: { task: 'parse', outputs: ['segments', 'parts'], resize: 'stride' },
    schp: { task: 'parse', outputs: ['logits'], resize: 'letterbox' },
    'yolov8-seg': { task: 'segment', outputs: ['detections', 'protos'], resize: 'letterbox' },
    'sch-fusion': { task: 'parse', outputs: ['probs'], resize: 'letterbox' },
  };

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A public original the model is made from. `sha256` lists every accepted digest: a host may
 * serve a reformatted copy of the same graph JSON (the converter reads it by meaning), and the
 * converted result is checked against the entry's own sha256 in any case.
 */
export const ModelSourceSchema = z.object({
  /** The file's name (a tfjs graph names its weight shards by it); cached as `MODELS_DIR/.sources/<sha256 prefix>-<name>`. */
  name: z.string().regex(/^[^/\\]+$/),
  url: z.string().url(),
  sha256: z.array(sha256).min(1),
  /**
   * For a JSON source: sha256 of its canonical form (keys sorted, no whitespace). A file whose
   * bytes match none of `sha256` is still accepted when its canonical form matches this.
   */
  jsonSha256: sha256.optional(),
  bytes: z.number().int().positive().optional(),
  note: z.string().optional(),
});
export type ModelSource = z.infer<typeof ModelSourceSchema>;

/**
 * How the sources become the model file: `none` (the single source is the file),
 * `tfjs-bodypix` (TF.js BodyPix graph + weight shard → ONNX) or `yolov8-int8-fold` (the int8
 * export's quantised convolutions folded back into float ones); see @argus/model-sources.
 */
export const CONVERSIONS = ['none', 'tfjs-bodypix', 'yolov8-int8-fold'] as const;

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
  /** Public download URL of the file itself; null when it is made from `sources` (or mirror-only). */
  url: z.string().url().nullable(),
  /** Public originals the file is converted from (see `conversion`). */
  sources: z.array(ModelSourceSchema).default([]),
  conversion: z.enum(CONVERSIONS).default('none'),
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
