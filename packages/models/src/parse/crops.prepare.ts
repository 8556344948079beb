import {
  boxWithMargin,
  cropInputSize,
  expandToAspect,
  personCropSide,
  resampleRegion,
  strideAlignedSize,
  toChwTensor,
  type BoxCorners,
  type Normalisation,
  type RgbImage,
  type ScoredBox,
  type Size,
} from '@argus/vision';
import type { ModelEntry } from '../manifest.schema';
import type { ParseJob, ParseTuning } from './parse.types';

/** Stage 1 of the parse pipeline: which regions each network sees, cut and normalised. */

export function normalisationFor(entry: ModelEntry): Normalisation {
  const p = entry.preprocess;
  return { scale: p.scale, offset: p.offset, mean: p.mean, std: p.std, channelOrder: p.channelOrder };
}

/** The job for parsing the whole image in one run. */
export function planWholeImage(image: Size, entry: ModelEntry, maxSide = entry.preprocess.width): ParseJob {
  const p = entry.preprocess;
  const input =
    p.resize === 'stride'
      ? strideAlignedSize(image.width, image.height, maxSide, p.stride ?? 16)
      : { width: p.width, height: p.height };
  const region = expandToAspect(
    { x: 0, y: 0, width: image.width, height: image.height },
    input.width / input.height,
  );
  return { region, input, rect: { x1: 0, y1: 0, x2: image.width, y2: image.height } };
}

/**
 * One job per person box: the box grown by `margin`, then to the input's aspect ratio; the
 * pixels decoded are the box grown by `slack`, clipped to the image. Stride models take every
 * crop at one long side, `cropSoloSide` for a lone person shrinking with the number of people
 * down to `cropMaxSide` (`personCropSide`); without `cropSoloSide`, always `cropMaxSide`.
 */
export function planPersonCrops(
  image: Size,
  persons: readonly { box: BoxCorners; score: number }[],
  entry: ModelEntry,
  tuning: Pick<ParseTuning, 'cropMaxSide' | 'cropMargin' | 'boxSlack'> &
    Partial<Pick<ParseTuning, 'cropSoloSide'>>,
): ParseJob[] {
  const p = entry.preprocess;
  const stride = p.stride ?? 16;
  const side = personCropSide(
    persons.map(({ box }) => (box.x2 - box.x1) * (box.y2 - box.y1)),
    tuning.cropSoloSide ?? 0,
    tuning.cropMaxSide,
    stride,
  );
  return persons.map((person) => {
    const grown = boxWithMargin(person.box, tuning.cropMargin);
    const input =
      p.resize === 'stride' ? cropInputSize(grown, side, stride) : { width: p.width, height: p.height };
    const region = expandToAspect(grown, input.width / input.height);
    const { x1, y1, x2, y2 } = person.box;
    const sx = tuning.boxSlack * (x2 - x1);
    const sy = tuning.boxSlack * (y2 - y1);
    const rect = {
      x1: clamp(Math.floor(x1 - sx), 0, image.width),
      y1: clamp(Math.floor(y1 - sy), 0, image.height),
      x2: clamp(Math.ceil(x2 + sx), 0, image.width),
      y2: clamp(Math.ceil(y2 + sy), 0, image.height),
    };
    return { region, input, rect, person };
  });
}

/**
 * The segmenter's job for a part job: the same region squashed to the segmenter's square
 * input (`squash`, the default: a standing person fills the input, stretched across, and the
 * segmenter sees hair, faces and garment edges at twice the resolution), or grown to a square
 * and padded so the person keeps their proportions (`pad`; measured worse on ccp_dev,
 * docs/parse.md).
 */
export function planClothesJob(job: ParseJob, entry: ModelEntry, fit: 'pad' | 'squash' = 'squash'): ParseJob {
  const input = { width: entry.preprocess.width, height: entry.preprocess.height };
  if (fit === 'squash') return { ...job, input };
  return { ...job, input, region: expandToAspect(job.region, input.width / input.height) };
}

/** Resamples a job's region and normalises it into `out` (CHW) at `offset`. */
export function prepareParseInput(
  image: RgbImage,
  job: ParseJob,
  entry: ModelEntry,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  const pad = entry.preprocess.pad;
  const rgb = resampleRegion(image, job.region, job.input.width, job.input.height, [pad, pad, pad]);
  return toChwTensor(rgb, job.input.width, job.input.height, normalisationFor(entry), out, offset);
}

/** Person boxes of the detector's output, best first, at most `max`. */
export function selectPersons(
  boxes: readonly ScoredBox[],
  personClass: number,
  max: number,
): { box: BoxCorners; score: number }[] {
  return boxes
    .filter((b) => b.classId === personClass && b.x2 > b.x1 && b.y2 > b.y1)
    .sort((a, b) => b.score - a.score)
    .slice(0, max)
    .map((b) => ({ box: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 }, score: b.score }));
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
