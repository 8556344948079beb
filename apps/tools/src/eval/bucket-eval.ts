/**
 * Human-parsing accuracy as the parse goal defines it (../shared/data/MANIFEST.md, "bucket
 * mIoU"): prediction (LIP ids) and ground truth both go to six buckets — Background, Hair,
 * Skin, Upper, Lower, Shoes — and IoU is averaged over them. Scored on `ccp_dev` (single-person
 * street fashion, inside the main subject's region) and `cihp_val5` (crowds, whole image),
 * through the worker's own pipeline (`runParse`), so the numbers measure what clients get.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runParse, type ParseTuning } from '@argus/models';
import { LIP20_LABELS, decodeGrayLabels } from '@argus/vision';
import { withParseModels } from './parse-models';

export const BUCKETS = ['Background', 'Hair', 'Skin', 'Upper', 'Lower', 'Shoes'] as const;
export type Bucket = (typeof BUCKETS)[number];
/** Ground truth left out of scoring. */
export const IGNORE = 255;
/** A predicted Hat/Glove/Sunglasses/Socks pixel: a miss for whatever the ground truth says. */
export const MISS = BUCKETS.length;

const [BG, HAIR, SKIN, UPPER, LOWER, SHOES] = [0, 1, 2, 3, 4, 5];

/** LIP id (prediction) → bucket. */
export const LIP_TO_BUCKET: readonly number[] = LIP20_LABELS.map((name) => {
  switch (name) {
    case 'Background':
      return BG;
    case 'Hair':
      return HAIR;
    case 'UpperClothes':
    case 'Dress':
    case 'Coat':
    case 'Jumpsuits':
    case 'Scarf':
      return UPPER;
    case 'Pants':
    case 'Skirt':
      return LOWER;
    case 'Left-shoe':
    case 'Right-shoe':
      return SHOES;
    case 'Face':
    case 'Left-arm':
    case 'Right-arm':
    case 'Left-leg':
    case 'Right-leg':
      return SKIN;
    default:
      return MISS; // Hat, Glove, Sunglasses, Socks
  }
});

/** CIHP ground truth → bucket: as LIP, but id 10 is Torso-skin, and Hat/Glove/Sunglasses/Socks are left out. */
export const CIHP_TO_BUCKET: readonly number[] = LIP_TO_BUCKET.map((b, id) =>
  id === 10 ? SKIN : b === MISS ? IGNORE : b,
);

/** `to_lip.tsv` target → bucket (Skin and Shoe are CCP's own collapsed targets). */
export function ccpTargetToBucket(target: string): number {
  if (target === 'Skin') return SKIN;
  if (target === 'Shoe') return SHOES;
  if (target === 'ignore') return IGNORE;
  const id = (LIP20_LABELS as readonly string[]).indexOf(target);
  if (id < 0) throw new Error(`to_lip.tsv: unknown target "${target}"`);
  const b = LIP_TO_BUCKET[id];
  return b === MISS ? IGNORE : b;
}

/** Reads `to_lip.tsv` into a CCP class id → bucket table. */
export function readCcpMapping(file: string): number[] {
  const table: number[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [id, , target] = line.split('\t');
    if (id === undefined || target === undefined || id.trim() === '') continue;
    table[Number(id)] = ccpTargetToBucket(target.trim());
  }
  return table;
}

/**
 * The main subject's region: the bounding box of non-background ground truth, each side moved
 * out by `grow` of the box's size, clipped to the image. Null when nothing is labelled.
 */
export function subjectRegion(gt: ArrayLike<number>, width: number, height: number, grow = 0.1) {
  let x1 = width;
  let y1 = height;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gt[y * width + x] === 0) continue;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
    }
  }
  if (x2 < 0) return null;
  const gx = grow * (x2 - x1 + 1);
  const gy = grow * (y2 - y1 + 1);
  return {
    x1: Math.max(0, Math.floor(x1 - gx)),
    y1: Math.max(0, Math.floor(y1 - gy)),
    x2: Math.min(width, Math.ceil(x2 + 1 + gx)),
    y2: Math.min(height, Math.ceil(y2 + 1 + gy)),
  };
}

/** Bucket confusion: rows ground truth (6), columns prediction (6 + MISS). */
export function createBucketConfusion(): Float64Array {
  return new Float64Array(BUCKETS.length * (BUCKETS.length + 1));
}

/** Adds the pixels of `rect` (default: all) of one image. */
export function accumulateBuckets(
  confusion: Float64Array,
  gt: ArrayLike<number>,
  pred: ArrayLike<number>,
  gtToBucket: readonly number[],
  width: number,
  rect = { x1: 0, y1: 0, x2: width, y2: Math.floor(gt.length / width) },
): void {
  if (gt.length !== pred.length)
    throw new RangeError(`label maps differ in size: ${gt.length} vs ${pred.length}`);
  const cols = BUCKETS.length + 1;
  for (let y = rect.y1; y < rect.y2; y++) {
    for (let x = rect.x1; x < rect.x2; x++) {
      const i = y * width + x;
      const g = gtToBucket[gt[i]];
      if (g === undefined) throw new RangeError(`ground-truth label ${gt[i]} has no bucket`);
      if (g === IGNORE) continue;
      confusion[g * cols + LIP_TO_BUCKET[pred[i]]]++;
    }
  }
}

export interface BucketScores {
  miou: number;
  perBucket: Record<Bucket, number>;
}

export function scoreBuckets(confusion: Float64Array): BucketScores {
  const k = BUCKETS.length;
  const cols = k + 1;
  const perBucket = {} as Record<Bucket, number>;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    let row = 0;
    let col = 0;
    for (let j = 0; j < cols; j++) row += confusion[c * cols + j];
    for (let g = 0; g < k; g++) col += confusion[g * cols + c];
    const tp = confusion[c * cols + c];
    const union = row + col - tp;
    perBucket[BUCKETS[c]] = union > 0 ? tp / union : 0;
    sum += perBucket[BUCKETS[c]];
  }
  return { miou: sum / k, perBucket };
}

/** Per-class IoU on CIHP for the LIP classes the model emitted (Torso-skin/Jumpsuits, id 10, left out). */
export function classIous(confusion: Float64Array, emitted: ReadonlySet<number>): Record<string, number> {
  const n = LIP20_LABELS.length;
  const out: Record<string, number> = {};
  for (const c of [...emitted].sort((a, b) => a - b)) {
    if (c === 0 || c === 10) continue;
    let row = 0;
    let col = 0;
    for (let j = 0; j < n; j++) {
      row += confusion[c * n + j];
      col += confusion[j * n + c];
    }
    const tp = confusion[c * n + c];
    out[LIP20_LABELS[c]] = row + col - tp > 0 ? tp / (row + col - tp) : 0;
  }
  return out;
}

export interface Sample {
  id: string;
  image: string;
  label: string;
}

/** `ccp_dev`: images/NNNN.jpg with labels/NNNN.png; every `every`-th (sorted), at most `limit`. */
export function listCcp(dir: string, every = 1, limit = Infinity, offset = 0): Sample[] {
  const imgDir = path.join(dir, 'images');
  if (!fs.existsSync(imgDir)) throw new Error(`ccp_dev not found: ${imgDir} does not exist (set CCP_DIR)`);
  return fs
    .readdirSync(imgDir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .filter((_, i) => i % every === offset % every)
    .slice(0, limit)
    .map((f) => {
      const id = f.replace(/\.jpg$/, '');
      return { id, image: path.join(imgDir, f), label: path.join(dir, 'labels', `${id}.png`) };
    });
}

/** `cihp_val5`: the ids of val_id.txt. */
export function listCihpSamples(dir: string): Sample[] {
  const list = path.join(dir, 'val_id.txt');
  if (!fs.existsSync(list)) throw new Error(`cihp_val5 not found: ${list} does not exist (set CIHP_DIR)`);
  return fs
    .readFileSync(list, 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((id) => ({
      id,
      image: path.join(dir, 'images', `${id}.jpg`),
      label: path.join(dir, 'labels', `${id}.png`),
    }));
}

export interface DatasetScores extends BucketScores {
  images: number;
  msPerImage: number;
  /** Pixel counts, rows ground-truth bucket, columns predicted bucket then MISS. */
  confusion: number[];
  /** cihp_val5 only: IoU per LIP class the model emitted. */
  perClass?: Record<string, number>;
}

export interface ModelScores {
  modelId: string;
  ccp?: DatasetScores;
  cihp?: DatasetScores;
}

export interface BucketEvalOptions {
  modelsDir: string;
  modelId: string;
  ccp?: Sample[];
  ccpMapping?: number[];
  cihp?: Sample[];
  tuning?: Partial<ParseTuning>;
  threshold?: number;
  mode?: 'crops' | 'whole';
  intraOpThreads?: number;
}

/** Scores one parse model on the given samples (crops mode with the default detector, as the API's default). */
export async function evaluateBuckets(opts: BucketEvalOptions): Promise<ModelScores> {
  const load = { ...opts, persons: true };
  return withParseModels(load, async ({ modelId, set, persons }) => {
    const models = { ...set, persons };
    const run = async (s: Sample) => {
      const [bytes, gt] = await Promise.all([fs.promises.readFile(s.image), fs.promises.readFile(s.label)]);
      const parsed = await runParse(
        models,
        bytes,
        {
          threshold: opts.threshold ?? 0.5,
          mode: opts.mode ?? 'crops',
          personConfidence: 0.25,
          maxPersons: 20,
          ...opts.tuning,
        },
        { maxPixels: 40_000_000 },
      );
      const truth = await decodeGrayLabels(gt);
      if (parsed.image.width !== truth.width || parsed.image.height !== truth.height) {
        throw new Error(
          `${s.id}: image is ${parsed.image.width}x${parsed.image.height}, labels ${truth.width}x${truth.height}`,
        );
      }
      return { pred: parsed.canvas.labels, truth };
    };
    const out: ModelScores = { modelId };
    if (opts.ccp?.length) {
      const mapping = opts.ccpMapping;
      if (!mapping) throw new Error('ccp samples need the to_lip.tsv mapping');
      const confusion = createBucketConfusion();
      const started = performance.now();
      for (const s of opts.ccp) {
        const { pred, truth } = await run(s);
        const rect = subjectRegion(truth.labels, truth.width, truth.height);
        if (rect) accumulateBuckets(confusion, truth.labels, pred, mapping, truth.width, rect);
      }
      const msPerImage = (performance.now() - started) / opts.ccp.length;
      out.ccp = {
        images: opts.ccp.length,
        msPerImage,
        ...scoreBuckets(confusion),
        confusion: Array.from(confusion),
      };
    }
    if (opts.cihp?.length) {
      const confusion = createBucketConfusion();
      const n = LIP20_LABELS.length;
      const classes = new Float64Array(n * n);
      const emitted = new Set<number>();
      const started = performance.now();
      for (const s of opts.cihp) {
        const { pred, truth } = await run(s);
        accumulateBuckets(confusion, truth.labels, pred, CIHP_TO_BUCKET, truth.width);
        for (let i = 0; i < pred.length; i++) {
          classes[truth.labels[i] * n + pred[i]]++;
          emitted.add(pred[i]);
        }
      }
      const msPerImage = (performance.now() - started) / opts.cihp.length;
      out.cihp = {
        images: opts.cihp.length,
        msPerImage,
        ...scoreBuckets(confusion),
        confusion: Array.from(confusion),
        perClass: classIous(classes, emitted),
      };
    }
    return out;
  });
}
