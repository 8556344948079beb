import {
  decideFusion,
  decodeThreshold,
  extendPersonMask,
  decodeParseLogits,
  decodeSinglePose,
  fuseLabels,
  growHair,
  growByColour,
  HAIR_GROWTH,
  HEAD_HAIR_GROWTH,
  SHOE_GROWTH,
  regionAxisMap,
  decodeSchClasses,
  DEFAULT_GARMENT_RULES,
  splitGarments,
  type RgbImage,
  type FusionRules,
  type Keypoint,
  type PixelBounds,
} from '@argus/vision';
import type { ParseModel } from '../parse.model';
import type { ClothesNetOutput, ParseJob, ParseNetOutput } from './parse.types';

/**
 * Stage 3 of the parse pipeline: network outputs → labels over a job's pixels. Plain models
 * decode straight to LIP ids; fused models decode BodyPix part ids and the segmenter's
 * classes and let the rules of `parse-fusion.ts` (packages/vision) name each pixel.
 */

/** BodyPix part channel c → c + 1, so a decoded map keeps part ids (0 = not a person). */
const PART_IDS = Uint8Array.from({ length: 24 }, (_, c) => c + 1);

/** Decodes one job's logits into LIP labels over its `rect` (0 = not a person). */
export function decodeParseJob(
  output: ParseNetOutput,
  job: ParseJob,
  model: Pick<ParseModel, 'classToLabel'>,
  threshold: number,
  personProb?: Float32Array,
  rect: PixelBounds = job.rect,
): Uint8Array {
  const mapX = regionAxisMap(job.region.x, job.region.width, job.input.width, output.gridWidth);
  const mapY = regionAxisMap(job.region.y, job.region.height, job.input.height, output.gridHeight);
  return decodeParseLogits(output.logits, output.gridWidth, output.gridHeight, rect, mapX, mapY, {
    threshold,
    classToLabel: model.classToLabel,
    personProb,
  });
}

/** The segmenter's classes (`SCH`) over `rect`, from its output for `clothesJob`; only where `mask` is set, when given. */
export function decodeClothesJob(
  output: ClothesNetOutput,
  clothesJob: ParseJob,
  rect: PixelBounds,
  threshold: number,
  mask?: Uint8Array,
): Uint8Array {
  const { gridWidth: gw, gridHeight: gh, probs } = output;
  const mapX = regionAxisMap(clothesJob.region.x, clothesJob.region.width, clothesJob.input.width, gw);
  const mapY = regionAxisMap(clothesJob.region.y, clothesJob.region.height, clothesJob.input.height, gh);
  return decodeSchClasses(probs, gw, gh, rect, mapX, mapY, threshold, mask);
}

/**
 * A fused job's LIP labels over `rect`: BodyPix says who is a person and which body part each
 * pixel is, the segmenter what covers it (`clothes` decodes its classes only where BodyPix sees
 * the person: the rest of the rect is never read).
 */
export function fuseParseJob(
  image: RgbImage,
  parts: ParseNetOutput,
  job: ParseJob,
  threshold: number,
  clothes: (mask: Uint8Array) => Uint8Array,
  rules: FusionRules,
  personProb?: Float32Array,
  rect: PixelBounds = job.rect,
): Uint8Array {
  const width = rect.x2 - rect.x1;
  const prob = personProb ?? new Float32Array(width * (rect.y2 - rect.y1));
  const low = decodeThreshold(threshold, rules);
  const partIds = decodeParseJob(parts, job, { classToLabel: PART_IDS }, low, prob, rect);
  const sch = clothes(partIds);
  if (low < threshold) extendPersonMask(partIds, prob, sch, threshold, rules);
  const decisions = decideFusion(partIds, sch, width, rules);
  const labels = fuseLabels(partIds, sch, width, decisions, rules, prob);
  if (rules.growHair) growHair(labels, partIds, sch, width);
  const rgb =
    rules.hairColour > 0 || rules.headHairColour > 0 || rules.shoeColour > 0 || rules.sameGarment > 0
      ? cropRgb(image, rect)
      : undefined;
  if (rgb && rules.headHairColour > 0)
    growByColour(labels, partIds, sch, rgb, width, {
      ...HEAD_HAIR_GROWTH,
      maxDistance: rules.headHairColour,
    });
  if (rgb && rules.hairColour > 0)
    growByColour(labels, partIds, sch, rgb, width, { ...HAIR_GROWTH, maxDistance: rules.hairColour });
  if (rgb && rules.shoeColour > 0)
    growByColour(labels, partIds, sch, rgb, width, { ...SHOE_GROWTH, maxDistance: rules.shoeColour });
  if (rgb && rules.sameGarment > 0) {
    const garments = { ...DEFAULT_GARMENT_RULES, sameGarment: rules.sameGarment, dress: rules.dress };
    splitGarments(labels, partIds, sch, rgb, width, decisions.closed, garments);
  }
  return labels;
}

/**
 * One pose from a job's output, in original-image pixels. Only grid cells whose image
 * position lies inside `within` and, when `owns` is given, on a pixel the person owns are
 * searched: a crop's margin, and overlapping boxes, show neighbours whose keypoints may be
 * stronger than the person's own.
 */
export function decodeJobPose(
  output: ParseNetOutput,
  job: ParseJob,
  within: PixelBounds,
  stride: number,
  owns?: (x: number, y: number) => boolean,
): Keypoint[] | undefined {
  if (!output.pose) return undefined;
  const sx = job.region.width / job.input.width;
  const sy = job.region.height / job.input.height;
  const toImage = (u: number, v: number) => ({
    x: round2(job.region.x + (u + 0.5) * sx - 0.5),
    y: round2(job.region.y + (v + 0.5) * sy - 0.5),
  });
  const accept = (u: number, v: number) => {
    const p = toImage(u, v);
    if (!(p.x >= within.x1 && p.x < within.x2 && p.y >= within.y1 && p.y < within.y2)) return false;
    return owns ? owns(Math.floor(p.x), Math.floor(p.y)) : true;
  };
  const kps = decodeSinglePose(
    { ...output.pose, gridWidth: output.gridWidth, gridHeight: output.gridHeight, stride },
    toImage,
    accept,
  );
  return kps.map((k) => ({ ...k, score: Math.round(k.score * 10_000) / 10_000 }));
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** The interleaved RGB pixels of `rect`. */
function cropRgb(image: RgbImage, rect: PixelBounds): Uint8Array {
  const w = rect.x2 - rect.x1;
  const out = new Uint8Array(w * (rect.y2 - rect.y1) * 3);
  for (let y = rect.y1; y < rect.y2; y++) {
    const from = (y * image.width + rect.x1) * 3;
    out.set(image.data.subarray(from, from + w * 3), (y - rect.y1) * w * 3);
  }
  return out;
}
