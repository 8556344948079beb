import type { BoxCorners } from './parse-input';
import type { PixelBounds } from './rle';

/**
 * Putting per-person parses together into one image-sized label map in which every pixel
 * belongs to at most one person.
 */

// Hot loops use module-level aliases: under jest every test file runs in a vm context where
// each global lookup (`Math`, `Infinity`) goes through an interceptor, ~100× slower per pixel.
const { fround: mathFround, sqrt: mathSqrt } = Math;

/** Image-sized maps: part label (0 = none) and owning person (0 = none, else person id). */
export interface PersonCanvas {
  width: number;
  height: number;
  labels: Uint8Array;
  owner: Uint16Array;
  /** For owned pixels, the owner's claim distance (see `boxDistance`); +Infinity elsewhere. */
  distance: Float32Array;
}

export function createPersonCanvas(width: number, height: number): PersonCanvas {
  return {
    width,
    height,
    labels: new Uint8Array(width * height),
    owner: new Uint16Array(width * height),
    distance: new Float32Array(width * height).fill(Infinity),
  };
}

/**
 * Distance of the point (px, py) from the centre of `box`, measured in half box sizes
 * (elliptical): 0 at the centre, 1 at the middle of an edge, √2 at a corner. A body fills the
 * middle of its box better than the corners, so this ranks claims better than the distance to
 * the nearest edge, which draws straight diagonal seams between overlapping people.
 */
export function boxDistance(box: BoxCorners, px: number, py: number): number {
  const hw = Math.max(box.x2 - box.x1, 1e-6) / 2;
  const hh = Math.max(box.y2 - box.y1, 1e-6) / 2;
  const dx = (px - (box.x1 + hw)) / hw;
  const dy = (py - (box.y1 + hh)) / hh;
  return Math.sqrt(dx * dx + dy * dy);
}

/** One person's parse: labels over `rect` (rect-sized, row-major, 0 = not a person). */
export interface CropParse {
  personId: number;
  box: BoxCorners;
  /**
   * Pixels the crop may claim: its person's box plus a little slack, clipped to the image. A
   * crop's margin shows parts of neighbours, which are theirs, not its own person's.
   */
  rect: PixelBounds;
  labels: Uint8Array;
}

/**
 * Pastes one person's parse into the canvas. The assignment rule, pixel by pixel:
 * 1. A crop claims only pixels inside its `rect` that its own parse calls "person".
 * 2. Where several crops claim a pixel (overlapping boxes), the person whose box centre is
 *    nearest wins, distance measured in half box sizes (`boxDistance`). On an exact tie the
 *    crop pasted first keeps the pixel, so paste in descending detection score.
 * Each pixel has one owner, so no pixel of person A is also given to person B.
 */
export function pasteCropParse(canvas: PersonCanvas, crop: CropParse): void {
  const { rect, labels, box, personId } = crop;
  const rw = rect.x2 - rect.x1;
  if (labels.length < rw * (rect.y2 - rect.y1))
    throw new RangeError('crop labels are smaller than their rect');
  if (rect.x1 < 0 || rect.y1 < 0 || rect.x2 > canvas.width || rect.y2 > canvas.height) {
    throw new RangeError('crop rect leaves the canvas');
  }
  const hw = Math.max(box.x2 - box.x1, 1e-6) / 2;
  const hh = Math.max(box.y2 - box.y1, 1e-6) / 2;
  const cx = box.x1 + hw;
  const cy = box.y1 + hh;
  const dx2 = new Float32Array(rw);
  for (let x = 0; x < rw; x++) dx2[x] = ((rect.x1 + x + 0.5 - cx) / hw) ** 2;
  for (let y = rect.y1; y < rect.y2; y++) {
    const dy2 = ((y + 0.5 - cy) / hh) ** 2;
    const src = (y - rect.y1) * rw;
    const dst = y * canvas.width + rect.x1;
    for (let x = 0; x < rw; x++) {
      const label = labels[src + x];
      if (label === 0) continue;
      // Rounded to float32 as stored, so an exact tie compares equal and the first claim stays.
      const d = mathFround(mathSqrt(dx2[x] + dy2));
      const i = dst + x;
      if (d < canvas.distance[i]) {
        canvas.distance[i] = d;
        canvas.owner[i] = personId;
        canvas.labels[i] = label;
      }
    }
  }
}

/**
 * Removes each person's stray specks: connected pieces of a person's pixels smaller than
 * `minFraction` of that person's largest piece are released (label and owner set to 0).
 * Pieces of one person separated by an occluder are usually large and stay.
 */
export function removeSpecks(canvas: PersonCanvas, minFraction: number): void {
  const { width, height, owner, labels } = canvas;
  const comps = connectedComponents(owner, width, height, true);
  const largest = new Map<number, number>();
  for (let k = 0; k < comps.count; k++) {
    const id = comps.values[k];
    largest.set(id, Math.max(largest.get(id) ?? 0, comps.areas[k]));
  }
  const drop = new Uint8Array(comps.count + 1);
  for (let k = 0; k < comps.count; k++) {
    if (comps.areas[k] < minFraction * largest.get(comps.values[k])!) drop[k + 1] = 1;
  }
  for (let i = 0; i < owner.length; i++) {
    if (drop[comps.ids[i]]) {
      owner[i] = 0;
      labels[i] = 0;
    }
  }
}

export interface Components {
  /** Component id per pixel: 0 = unset, else 1…count. */
  ids: Int32Array;
  count: number;
  /** areas[k-1], bounds[k-1], values[k-1] for component k. */
  areas: number[];
  bounds: PixelBounds[];
  /** The mask value the component has (always non-zero). */
  values: number[];
}

/**
 * 8-connected components of the non-zero pixels of a row-major mask. With `byValue`, only
 * neighbours of equal value connect (components of a label map); otherwise any non-zero do.
 */
export function connectedComponents(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  byValue = false,
): Components {
  const n = width * height;
  const ids = new Int32Array(n);
  const areas: number[] = [];
  const bounds: PixelBounds[] = [];
  const values: number[] = [];
  // Each pixel is pushed at most once (it is labelled when pushed), so n slots suffice.
  const stack = new Int32Array(n);
  let count = 0;
  for (let start = 0; start < n; start++) {
    const value = mask[start];
    if (value === 0 || ids[start] !== 0) continue;
    count++;
    let area = 0;
    let bx1 = width;
    let by1 = height;
    let bx2 = 0;
    let by2 = 0;
    let top = 0;
    ids[start] = count;
    stack[top++] = start;
    while (top > 0) {
      const i = stack[--top];
      const x = i % width;
      const y = (i - x) / width;
      area++;
      if (x < bx1) bx1 = x;
      if (x >= bx2) bx2 = x + 1;
      if (y < by1) by1 = y;
      if (y >= by2) by2 = y + 1;
      const xLo = x > 0 ? x - 1 : x;
      const xHi = x + 1 < width ? x + 1 : x;
      const yLo = y > 0 ? y - 1 : y;
      const yHi = y + 1 < height ? y + 1 : y;
      for (let ny = yLo; ny <= yHi; ny++) {
        for (let j = ny * width + xLo, end = ny * width + xHi; j <= end; j++) {
          if (ids[j] !== 0) continue;
          const v = mask[j];
          if (v !== 0 && (!byValue || v === value)) {
            ids[j] = count;
            stack[top++] = j;
          }
        }
      }
    }
    areas.push(area);
    bounds.push({ x1: bx1, y1: by1, x2: bx2, y2: by2 });
    values.push(value);
  }
  return { ids, count, areas, bounds, values };
}

export interface PersonPixels {
  /** Owned pixels with a part label. */
  pixels: number;
  bounds: PixelBounds | null;
  /** Pixel count per label id. */
  partPixels: number[];
  /** Bounds per label id (null when the label is absent). */
  partBounds: (PixelBounds | null)[];
}

/**
 * Per-person pixel counts and bounding boxes of each part, in one pass over the maps.
 * `owner` values 1…numPersons are people; pixels with label 0 are not counted.
 */
export function summarizePersons(
  labels: Uint8Array,
  owner: ArrayLike<number>,
  width: number,
  height: number,
  numPersons: number,
  numLabels: number,
): PersonPixels[] {
  const people: PersonPixels[] = Array.from({ length: numPersons }, () => ({
    pixels: 0,
    bounds: null,
    partPixels: new Array<number>(numLabels).fill(0),
    partBounds: new Array<PixelBounds | null>(numLabels).fill(null),
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const id = owner[i];
      const label = labels[i];
      if (id === 0 || label === 0 || id > numPersons) continue;
      const p = people[id - 1];
      p.pixels++;
      p.bounds = grow(p.bounds, x, y);
      p.partPixels[label]++;
      p.partBounds[label] = grow(p.partBounds[label], x, y);
    }
  }
  return people;
}

function grow(b: PixelBounds | null, x: number, y: number): PixelBounds {
  if (!b) return { x1: x, y1: y, x2: x + 1, y2: y + 1 };
  if (x < b.x1) b.x1 = x;
  if (x + 1 > b.x2) b.x2 = x + 1;
  if (y < b.y1) b.y1 = y;
  if (y + 1 > b.y2) b.y2 = y + 1;
  return b;
}
