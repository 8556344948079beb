/**
 * Human-parsing accuracy on the CIHP validation sample (../shared/data/cihp_val5), run
 * through the worker's own pipeline (`runParse`: decode → detect → crops → parse → paste),
 * so the numbers measure what clients get.
 *
 * BodyPix and CIHP label different things (body parts against clothing), so both sides are
 * mapped to six coarse classes before scoring: background, head, torso, arms, legs, feet.
 * IoU per class is computed over the whole set (one confusion matrix for all images), mIoU is
 * the mean over the six classes, and person IoU compares "any person label" on both sides.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@argus/config';
import { runParse, type ParseTuning } from '@argus/models';
import { decodeGrayLabels } from '@argus/vision';
import { withParseModels } from './parse-models';

/**
 * Whole-image reference (mIoU, person IoU; long side 513, threshold 0.5) per model id, from
 * ../shared/models/MANIFEST.md items 3 and 4.
 */
export const PARSE_REFERENCE: Record<string, { miou: number; personIou: number }> = {
  'bodypix-075': { miou: 0.451, personIou: 0.733 },
  'bodypix-050': { miou: 0.453, personIou: 0.733 },
};

export const COARSE_CLASSES = ['background', 'head', 'torso', 'arms', 'legs', 'feet'] as const;
const [BG, HEAD, TORSO, ARMS, LEGS, FEET] = [0, 1, 2, 3, 4, 5];

/**
 * CIHP ground truth (classes.txt order) → coarse class. Clothing goes to the body region it
 * covers: hat, hair and sunglasses are head; upper clothes, dress, coat, torso skin and scarf
 * are torso; gloves are arms; pants, skirt and socks are legs (socks show between shoe and
 * trouser leg, where BodyPix's lower leg is); shoes are feet.
 */
export const CIHP20_TO_COARSE: readonly number[] = [
  BG, // 0 Background
  HEAD, // 1 Hat
  HEAD, // 2 Hair
  ARMS, // 3 Glove
  HEAD, // 4 Sunglasses
  TORSO, // 5 UpperClothes
  TORSO, // 6 Dress
  TORSO, // 7 Coat
  LEGS, // 8 Socks
  LEGS, // 9 Pants
  TORSO, // 10 Torso-skin
  TORSO, // 11 Scarf
  LEGS, // 12 Skirt
  HEAD, // 13 Face
  ARMS, // 14 Left-arm
  ARMS, // 15 Right-arm
  LEGS, // 16 Left-leg
  LEGS, // 17 Right-leg
  FEET, // 18 Left-shoe
  FEET, // 19 Right-shoe
];

/**
 * The pipeline's output labels (LIP, `LIP20_LABELS`) → coarse class. The same table as for
 * CIHP except id 10, Jumpsuits in LIP, which is torso as well. BodyPix output reaches LIP
 * through `BODYPIX_TO_LIP20` (face → Face, torso → UpperClothes, arms/hands → *-arm,
 * legs → *-leg, feet → *-shoe), so its parts land on head, torso, arms, legs and feet.
 */
export const LIP20_TO_COARSE: readonly number[] = CIHP20_TO_COARSE.map((c, id) => (id === 10 ? TORSO : c));

/** A confusion matrix over the coarse classes: rows ground truth, columns prediction. */
export type Confusion = Float64Array;

export function createConfusion(): Confusion {
  return new Float64Array(COARSE_CLASSES.length * COARSE_CLASSES.length);
}

/** Adds one image: `gt` and `pred` are same-sized label maps in their own label sets. */
export function accumulateConfusion(
  confusion: Confusion,
  gt: ArrayLike<number>,
  pred: ArrayLike<number>,
  gtToCoarse: readonly number[],
  predToCoarse: readonly number[],
): void {
  if (gt.length !== pred.length)
    throw new RangeError(`label maps differ in size: ${gt.length} vs ${pred.length}`);
  const k = COARSE_CLASSES.length;
  for (let i = 0; i < gt.length; i++) {
    const g = gtToCoarse[gt[i]];
    const p = predToCoarse[pred[i]];
    if (g === undefined || p === undefined)
      throw new RangeError(`label ${gt[i]}/${pred[i]} has no coarse class`);
    confusion[g * k + p]++;
  }
}

export interface ParseScores {
  miou: number;
  /** IoU of "person" (any non-background coarse class) on both sides. */
  personIou: number;
  perClass: Record<(typeof COARSE_CLASSES)[number], number>;
}

/** IoU per class and their mean; a class absent from both sides scores 0 and still counts (on CIHP all six occur). */
export function scoreConfusion(confusion: Confusion): ParseScores {
  const k = COARSE_CLASSES.length;
  const perClass = {} as ParseScores['perClass'];
  let sum = 0;
  for (let c = 0; c < k; c++) {
    let tp = 0;
    let rowSum = 0;
    let colSum = 0;
    for (let j = 0; j < k; j++) {
      rowSum += confusion[c * k + j];
      colSum += confusion[j * k + c];
    }
    tp = confusion[c * k + c];
    const union = rowSum + colSum - tp;
    const iou = union > 0 ? tp / union : 0;
    perClass[COARSE_CLASSES[c]] = iou;
    sum += iou;
  }
  // Person vs background from the same matrix: background row/column against the rest.
  let bothPerson = 0;
  let gtPerson = 0;
  let predPerson = 0;
  for (let g = 0; g < k; g++) {
    for (let p = 0; p < k; p++) {
      const n = confusion[g * k + p];
      if (g !== BG) gtPerson += n;
      if (p !== BG) predPerson += n;
      if (g !== BG && p !== BG) bothPerson += n;
    }
  }
  const union = gtPerson + predPerson - bothPerson;
  return { miou: sum / k, personIou: union > 0 ? bothPerson / union : 0, perClass };
}

export type EvalMode = 'whole' | 'crops';

export interface ParseEvalOptions {
  /** Folder with `manifest.json` and the installed model files. */
  modelsDir: string;
  /** Parse model id. Default: the manifest's default parse model. */
  modelId?: string;
  /** Person detector for `crops` mode. Default: the manifest's default detect model. */
  personModelId?: string;
  /** Dataset root with images/, labels/ and val_id.txt. Default: `defaultCihpDir()`. */
  datasetDir?: string;
  /** Default both, whole first. */
  modes?: readonly EvalMode[];
  /** Person threshold. Default 0.5. */
  threshold?: number;
  tuning?: Partial<ParseTuning>;
  /** onnxruntime intra-op threads; 0 = one per core. Default 0. */
  intraOpThreads?: number;
  maxPixels?: number;
}

export interface ParseEvalModeResult extends ParseScores {
  mode: EvalMode;
  images: number;
  /** Wall time per image of `runParse` (decode, detect, infer, decode logits, assign). */
  msPerImage: number;
}

export interface ParseEvalResult {
  modelId: string;
  personModelId: string | null;
  results: ParseEvalModeResult[];
}

/** `CIHP_DIR` when set, else `<repo>/../shared/data/cihp_val5`. */
export function defaultCihpDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CIHP_DIR?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.resolve(REPO_ROOT, '..', 'shared', 'data', 'cihp_val5');
}

export interface CihpSample {
  id: string;
  imagePath: string;
  labelPath: string;
}

/** The samples listed in val_id.txt; throws naming what is missing. */
export function listCihp(datasetDir: string): CihpSample[] {
  const list = path.join(datasetDir, 'val_id.txt');
  if (!fs.existsSync(list)) {
    throw new Error(
      `CIHP sample not found: ${list} does not exist. Set CIHP_DIR to the folder holding val_id.txt.`,
    );
  }
  const ids = fs
    .readFileSync(list, 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.map((id) => {
    const sample = {
      id,
      imagePath: path.join(datasetDir, 'images', `${id}.jpg`),
      labelPath: path.join(datasetDir, 'labels', `${id}.png`),
    };
    for (const file of [sample.imagePath, sample.labelPath]) {
      if (!fs.existsSync(file)) throw new Error(`CIHP sample ${id}: ${file} is missing`);
    }
    return sample;
  });
}

export async function evaluateParsing(opts: ParseEvalOptions): Promise<ParseEvalResult> {
  const samples = listCihp(opts.datasetDir ?? defaultCihpDir());
  const modes = opts.modes ?? (['whole', 'crops'] as const);
  const limits = { maxPixels: opts.maxPixels ?? 40_000_000 };
  const load = { ...opts, persons: modes.includes('crops') };
  return withParseModels(load, async ({ modelId, set: parts, persons }) => {
    const truth = await Promise.all(
      samples.map(async (s) => decodeGrayLabels(await fs.promises.readFile(s.labelPath))),
    );
    const images = await Promise.all(samples.map((s) => fs.promises.readFile(s.imagePath)));
    const results: ParseEvalModeResult[] = [];
    for (const mode of modes) {
      const confusion = createConfusion();
      const started = performance.now();
      for (let i = 0; i < samples.length; i++) {
        const parsed = await runParse(
          { ...parts, persons },
          images[i],
          { threshold: opts.threshold ?? 0.5, mode, personConfidence: 0.25, maxPersons: 20, ...opts.tuning },
          limits,
        );
        const gt = truth[i];
        if (parsed.image.width !== gt.width || parsed.image.height !== gt.height) {
          throw new Error(
            `CIHP ${samples[i].id}: image is ${parsed.image.width}x${parsed.image.height}, labels ${gt.width}x${gt.height}`,
          );
        }
        if (mode === 'crops' && parsed.mode !== 'crops') throw new Error('crops mode fell back to whole');
        accumulateConfusion(confusion, gt.labels, parsed.canvas.labels, CIHP20_TO_COARSE, LIP20_TO_COARSE);
      }
      const msPerImage = (performance.now() - started) / samples.length;
      results.push({ mode, images: samples.length, msPerImage, ...scoreConfusion(confusion) });
    }
    return { modelId, personModelId: persons?.entry.id ?? null, results };
  });
}
