import type { Rgb } from './palette';

/**
 * Geometry and pixels of parse-model inputs. A parse input is always a *region* of the
 * original image (the whole image, or one person's crop with margin) resampled to the model's
 * input size without distortion: the region is first grown to the input's aspect ratio, and
 * parts of it that fall outside the image are filled with a constant colour.
 */

// Hot loops use module-level aliases: under jest every test file runs in a vm context where
// each global lookup (`Math`, `Infinity`) goes through an interceptor, ~100× slower per pixel.
const { round: mathRound } = Math;

/** A rectangle in original-image pixel-edge coordinates (pixel i spans i…i+1); may leave the image. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A box as detectors give it: corners in pixel-edge coordinates. */
export interface BoxCorners {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Size {
  width: number;
  height: number;
}

/** True when `n` has the form stride·k + 1 (k ≥ 1), which BodyPix's padding needs. */
export function isStrideAligned(n: number, stride: number): boolean {
  return Number.isInteger(n) && n > stride && (n - 1) % stride === 0;
}

/**
 * The model input size for a region: the long side is `maxSide` (itself stride·k+1) and the
 * short side the smallest stride·k+1 that keeps the region's aspect ratio or wider, so the
 * region only ever grows (gains context) and is never squeezed.
 */
export function strideAlignedSize(width: number, height: number, maxSide: number, stride: number): Size {
  if (!isStrideAligned(maxSide, stride)) throw new RangeError(`maxSide ${maxSide} is not ${stride}k+1`);
  if (!(width > 0 && height > 0)) throw new RangeError(`bad region size ${width}x${height}`);
  const span = maxSide - 1;
  const short = (ratio: number) => stride * Math.max(1, Math.ceil((ratio * span) / stride - 1e-9)) + 1;
  return width >= height
    ? { width: maxSide, height: Math.min(maxSide, short(height / width)) }
    : { width: Math.min(maxSide, short(width / height)), height: maxSide };
}

/**
 * Input sizes for person crops when a batch needs one shared size: the long side is
 * `maxSide` and the aspect ratio (width/height) one of a few buckets, so each crop gets a
 * near-fitting frame while crops of similar shape still batch together.
 */
export const CROP_ASPECT_BUCKETS = [1 / 2, 3 / 4, 1, 4 / 3, 2] as const;

export function cropInputSize(region: Size, maxSide: number, stride: number): Size {
  const aspect = region.width / region.height;
  // The nearest bucket on a log scale; the region is later grown to exactly that aspect.
  let best: number = CROP_ASPECT_BUCKETS[0];
  for (const b of CROP_ASPECT_BUCKETS)
    if (Math.abs(Math.log(b / aspect)) < Math.abs(Math.log(best / aspect))) best = b;
  return best >= 1
    ? strideAlignedSize(maxSide, maxSide / best, maxSide, stride)
    : strideAlignedSize(maxSide * best, maxSide, maxSide, stride);
}

/**
 * The long side of every person crop of one image, from the people's box areas: `soloSide` for
 * a lone person, shrinking as 1/√n for n people of equal size (the crops' total pixels, and so
 * BodyPix's time, stay about those of one crop), never below `crowdSide`. People count by
 * their area against the largest (n = Σ area / max area), so a few small bystanders barely
 * shrink the main subject's crop. Both sides are stride·k+1; so is the result. BodyPix's
 * stride-16 outline is coarse: a person seen at 641 instead of 385 is outlined much more
 * tightly (docs/parse.md).
 */
export function personCropSide(
  areas: readonly number[],
  soloSide: number,
  crowdSide: number,
  stride: number,
): number {
  if (!isStrideAligned(crowdSide, stride)) throw new RangeError(`crowdSide ${crowdSide} is not ${stride}k+1`);
  const largest = Math.max(0, ...areas);
  const count = largest > 0 ? areas.reduce((sum, a) => sum + Math.max(0, a), 0) / largest : 1;
  const ideal = soloSide / Math.sqrt(count);
  const aligned = stride * Math.floor((ideal - 1) / stride + 1e-9) + 1;
  return Math.max(crowdSide, aligned);
}

/** Grows the shorter side of `region` symmetrically until width/height = `aspect`. */
export function expandToAspect(region: Region, aspect: number): Region {
  const current = region.width / region.height;
  if (current < aspect) {
    const width = region.height * aspect;
    return { x: region.x - (width - region.width) / 2, y: region.y, width, height: region.height };
  }
  const height = region.width / aspect;
  return { x: region.x, y: region.y - (height - region.height) / 2, width: region.width, height };
}

/** A box grown by `margin` × its width (height) on the left and right (top and bottom). */
export function boxWithMargin(box: BoxCorners, margin: number): Region {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return {
    x: box.x1 - margin * w,
    y: box.y1 - margin * h,
    width: w * (1 + 2 * margin),
    height: h * (1 + 2 * margin),
  };
}

export interface RgbImage {
  /** Interleaved RGB, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

interface Taps {
  /** Output o uses taps start[o]…start[o+1]−1 of index/weight; index −1 = fill. */
  start: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

/**
 * Sampling taps along one axis: output o looks at the source around
 * `c = start + (o + 0.5)·length/outSize − 0.5` with a triangle filter whose radius is the
 * downscale factor (at least 1). When enlarging that is plain bilinear interpolation; when
 * shrinking it averages every source pixel (antialiasing), as PIL's bilinear resize does.
 * An output whose centre lies outside the image is fill (one tap, index −1); one inside reads
 * only image pixels (the weights are renormalised at the border), so the fill never bleeds
 * into the image's edge pixels and the image never bleeds into the fill.
 */
function axisTaps(srcSize: number, start: number, length: number, outSize: number): Taps {
  const scale = length / outSize;
  const radius = Math.max(1, scale);
  const starts = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < outSize; o++) {
    starts[o] = index.length;
    const centre = start + (o + 0.5) * scale - 0.5;
    if (centre < -0.5 || centre >= srcSize - 0.5) {
      index.push(-1);
      weight.push(1);
      continue;
    }
    const lo = Math.max(0, Math.ceil(centre - radius));
    const hi = Math.min(srcSize - 1, Math.floor(centre + radius));
    let sum = 0;
    const first = index.length;
    for (let k = lo; k <= hi; k++) {
      const w = 1 - Math.abs(k - centre) / radius;
      if (w <= 0) continue;
      index.push(k);
      weight.push(w);
      sum += w;
    }
    if (sum === 0) {
      // Only possible at the very border with radius 1: take the nearest pixel.
      index.push(Math.min(srcSize - 1, Math.max(0, Math.round(centre))));
      weight.push(1);
      sum = 1;
    }
    for (let i = first; i < weight.length; i++) weight[i] /= sum;
  }
  starts[outSize] = index.length;
  return { start: starts, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/**
 * Resamples `region` of `src` to `outWidth`×`outHeight` interleaved RGB. Pixels of the
 * region outside the image take `fill`. A uniform area stays exactly its colour.
 */
export function resampleRegion(
  src: RgbImage,
  region: Region,
  outWidth: number,
  outHeight: number,
  fill: Rgb,
): Uint8Array {
  if (src.data.length < src.width * src.height * 3) throw new RangeError('source image has too few bytes');
  const cols = axisTaps(src.width, region.x, region.width, outWidth);
  const rows = axisTaps(src.height, region.y, region.height, outHeight);
  // Only source rows some output row reads are filtered horizontally.
  let rMin = Infinity;
  let rMax = -Infinity;
  for (const r of rows.index) {
    if (r < 0) continue;
    if (r < rMin) rMin = r;
    if (r > rMax) rMax = r;
  }
  const bandRows = rMax >= rMin ? rMax - rMin + 1 : 0;
  const rowLen = outWidth * 3;
  const band = new Float32Array(bandRows * rowLen);
  const [fr, fg, fb] = fill;
  // Locals for the hot loops (V8 does not hoist property loads it cannot prove unchanged).
  const data = src.data;
  const srcStride = src.width * 3;
  const { start: cStart, index: cIndex, weight: cWeight } = cols;
  for (let r = 0; r < bandRows; r++) {
    const srcRow = (rMin + r) * srcStride;
    let q = r * rowLen;
    for (let o = 0; o < outWidth; o++, q += 3) {
      const t0 = cStart[o];
      const t1 = cStart[o + 1];
      if (cIndex[t0] < 0) {
        // A fill output has exactly one tap (see `axisTaps`).
        const w = cWeight[t0];
        band[q] = fr * w;
        band[q + 1] = fg * w;
        band[q + 2] = fb * w;
        continue;
      }
      let a = 0;
      let b = 0;
      let c = 0;
      for (let t = t0; t < t1; t++) {
        const w = cWeight[t];
        const p = srcRow + cIndex[t] * 3;
        a += data[p] * w;
        b += data[p + 1] * w;
        c += data[p + 2] * w;
      }
      band[q] = a;
      band[q + 1] = b;
      band[q + 2] = c;
    }
  }
  const out = new Uint8Array(outWidth * outHeight * 3);
  const acc = new Float32Array(rowLen);
  const { start: rStart, index: rIndex, weight: rWeight } = rows;
  for (let o = 0; o < outHeight; o++) {
    acc.fill(0);
    for (let t = rStart[o]; t < rStart[o + 1]; t++) {
      const w = rWeight[t];
      const k = rIndex[t];
      if (k < 0) {
        for (let i = 0; i < rowLen; i += 3) {
          acc[i] += fr * w;
          acc[i + 1] += fg * w;
          acc[i + 2] += fb * w;
        }
      } else {
        const base = (k - rMin) * rowLen;
        for (let i = 0; i < rowLen; i++) acc[i] += band[base + i] * w;
      }
    }
    const outRow = o * rowLen;
    // A Uint8Array store wraps modulo 256 instead of clamping, so clamp here.
    for (let i = 0; i < rowLen; i++) {
      const v = mathRound(acc[i]);
      out[outRow + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
