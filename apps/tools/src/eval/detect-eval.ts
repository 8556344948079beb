/**
 * COCO-style detection mAP on coco128, run through the worker's own pipeline
 * (`preprocessDetect` → `runDetectBatch` → `postprocessDetect`) so the number measures what
 * clients get, not a separate re-implementation. A segmentation model (`yolov8-seg`) is scored
 * on its boxes through `postprocessSegment`; its masks are not scored, because coco128's
 * labels are boxes only (mask AP needs the polygon annotations it lacks).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@argus/config';
import {
  directSegmentRunner,
  loadDetectModel,
  postprocessSegment,
  manifestPathFor,
  postprocessDetect,
  preprocessDetect,
  readManifest,
  resolveModel,
  runDetectBatch,
  sessionRun,
  type PreparedImage,
} from '@argus/models';
import {
  meanAveragePrecision,
  type GroundTruthBox,
  type ImageEvaluation,
  type ScoredBox,
} from '@argus/vision';

/**
 * Ultralytics' validation settings (`yolo val`): a very low confidence so the whole
 * precision/recall curve is seen, NMS IoU 0.7, one candidate per class above the threshold.
 */
export const EVAL_POSTPROCESS = {
  confidence: 0.001,
  iou: 0.7,
  multiLabel: true,
  maxDetections: 300,
} as const;

export interface DetectEvalOptions {
  /** Folder with `manifest.json` and the installed model files. */
  modelsDir: string;
  /** Manifest id of a detect or segment model. Default: the manifest's default detect model. */
  modelId?: string;
  /** coco128 root (with `images/train2017`, `labels/train2017`). Default: `defaultCoco128Dir()`. */
  datasetDir?: string;
  /**
   * Images per `runDetectBatch` call. Default 1. Models with a fixed batch of one still run
   * image by image inside `runDetectBatch`.
   */
  batchSize?: number;
  /** onnxruntime intra-op threads; 0 = one per core. Default 0. */
  intraOpThreads?: number;
  /** Decode limit passed to `preprocessDetect`. Default 40 MP, the `MAX_PIXELS` default. */
  maxPixels?: number;
}

export interface DetectEvalResult {
  modelId: string;
  map50: number;
  map50_95: number;
  /** Images evaluated, background images (no label file) included. */
  images: number;
  /** Ground-truth boxes over all images. */
  gtBoxes: number;
  /** Wall time per image for decode + inference + postprocess (model loading excluded). */
  msPerImage: number;
}

/**
 * `COCO128_DIR` when set, else `<repo>/../shared/data/coco128`. Takes `env` as a parameter
 * so callers that already parsed their environment can pass it in.
 */
export function defaultCoco128Dir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.COCO128_DIR?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.resolve(REPO_ROOT, '..', 'shared', 'data', 'coco128');
}

interface DatasetImage {
  imagePath: string;
  /** `null` for a background image (no label file). */
  labelPath: string | null;
}

/**
 * Lists every image of the split. An image without a label file is a background image and
 * still counts (its detections are all false positives); a label file without an image is
 * ignored, as Ultralytics does.
 */
export function listCoco128(datasetDir: string, split = 'train2017'): DatasetImage[] {
  const imagesDir = path.join(datasetDir, 'images', split);
  const labelsDir = path.join(datasetDir, 'labels', split);
  if (!fs.existsSync(imagesDir) || !fs.statSync(imagesDir).isDirectory()) {
    throw new Error(
      `coco128 dataset not found: ${imagesDir} does not exist. Set COCO128_DIR to the coco128 folder ` +
        `(the one holding images/${split} and labels/${split}).`,
    );
  }
  const images = fs
    .readdirSync(imagesDir)
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
    .sort();
  if (images.length === 0) throw new Error(`coco128 dataset at ${imagesDir} has no images`);
  return images.map((file) => {
    const labelPath = path.join(labelsDir, `${path.parse(file).name}.txt`);
    return { imagePath: path.join(imagesDir, file), labelPath: fs.existsSync(labelPath) ? labelPath : null };
  });
}

/** YOLO label lines (`cls cx cy w h`, normalised) → pixel boxes of a `width`×`height` image. */
export function parseYoloLabels(
  text: string,
  width: number,
  height: number,
  source = 'labels',
): GroundTruthBox[] {
  const boxes: GroundTruthBox[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const parts = line.split(/\s+/).map(Number);
    if (parts.length !== 5 || parts.some((v) => !Number.isFinite(v)) || !Number.isInteger(parts[0])) {
      throw new Error(`${source}:${i + 1}: expected "cls cx cy w h", got "${line}"`);
    }
    const [classId, cx, cy, w, h] = parts;
    boxes.push({
      classId,
      x1: (cx - w / 2) * width,
      y1: (cy - h / 2) * height,
      x2: (cx + w / 2) * width,
      y2: (cy + h / 2) * height,
    });
  });
  return boxes;
}

export async function evaluateDetection(opts: DetectEvalOptions): Promise<DetectEvalResult> {
  const batchSize = opts.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be ≥ 1, got ${batchSize}`);
  }
  const datasetDir = opts.datasetDir ?? defaultCoco128Dir();
  const dataset = listCoco128(datasetDir);
  const limits = { maxPixels: opts.maxPixels ?? 40_000_000 };

  const manifest = readManifest(manifestPathFor(opts.modelsDir));
  const named = manifest.models.find((m) => m.id === opts.modelId);
  const entry = named?.task === 'segment' ? named : resolveModel(manifest, 'detect', opts.modelId);
  // A segmentation model loads as a detector does (same checks, same session options).
  const model = await loadDetectModel(entry, opts.modelsDir, { intraOpThreads: opts.intraOpThreads ?? 0 });
  const segmenter = entry.task === 'segment' ? directSegmentRunner(model) : undefined;
  const run = sessionRun(model.session);
  /** Each prepared image's boxes in original pixels. */
  const boxesOf = async (prepared: readonly PreparedImage[]): Promise<ScoredBox[][]> => {
    if (segmenter) {
      const out: ScoredBox[][] = [];
      for (const p of prepared) {
        const { output } = await segmenter(p.input);
        const post = { ...EVAL_POSTPROCESS, boxesOnly: true };
        out.push(postprocessSegment(output, model.labels, p.letterbox, post).map((s) => s.box));
      }
      return out;
    }
    const outputs = await runDetectBatch(
      model,
      run,
      prepared.map((p) => p.input),
    );
    return outputs.map((o, i) => postprocessDetect(o, model, prepared[i].letterbox, EVAL_POSTPROCESS));
  };

  const prepare = (items: readonly DatasetImage[]) =>
    Promise.all(
      items.map(async (item) => preprocessDetect(await fs.promises.readFile(item.imagePath), entry, limits)),
    );

  const batches: DatasetImage[][] = [];
  for (let i = 0; i < dataset.length; i += batchSize) batches.push(dataset.slice(i, i + batchSize));

  const evaluations: ImageEvaluation[] = [];
  let gtBoxes = 0;
  let pending: Promise<PreparedImage[]> | undefined;
  const started = performance.now();
  try {
    for (let b = 0; b < batches.length; b++) {
      const current = pending ?? prepare(batches[b]);
      // Decoding the next batch (libvips, on libuv's pool) overlaps inference of this one.
      pending = b + 1 < batches.length ? prepare(batches[b + 1]) : undefined;
      const prepared = await current;
      const boxes = await boxesOf(prepared);
      for (let i = 0; i < prepared.length; i++) {
        const { letterbox } = prepared[i];
        const item = batches[b][i];
        const detections = boxes[i];
        // Labels are normalised to the EXIF-oriented image, the frame the boxes are mapped to.
        const groundTruth = item.labelPath
          ? parseYoloLabels(
              await fs.promises.readFile(item.labelPath, 'utf8'),
              letterbox.srcWidth,
              letterbox.srcHeight,
              item.labelPath,
            )
          : [];
        gtBoxes += groundTruth.length;
        evaluations.push({ detections, groundTruth });
      }
    }
  } finally {
    // A decode still in flight when something failed must not turn into an unhandled rejection.
    await pending?.catch(() => undefined);
    await model.session.release();
  }
  const elapsed = performance.now() - started;
  const { map50, map50_95 } = meanAveragePrecision(evaluations);
  return {
    modelId: entry.id,
    map50,
    map50_95,
    images: evaluations.length,
    gtBoxes,
    msPerImage: elapsed / evaluations.length,
  };
}
