import type { PixelBounds } from './rle';

/**
 * Decoding of parse-network logits back onto original-image pixels.
 *
 * Both network families here give logits on a grid whose corner cells sit on the input's
 * corner pixels (BodyPix at stride 16 with inputs of 16k+1; SCHP at stride 4, 473 → 119, which
 * its own code upsamples with align_corners=True). So grid coordinate g and input pixel u are
 * related by `g = u·(grid−1)/(input−1)`, and logits are interpolated bilinearly in between.
 */

// Hot loops use module-level aliases: under jest every test file runs in a vm context where
// each global lookup (`Math`, `Infinity`) goes through an interceptor, ~100× slower per pixel.
const { exp: mathExp, fround: mathFround } = Math;
const NEGATIVE_INFINITY = -Infinity;

/** Grid coordinate of an original-image pixel index along one axis: `g = scale·p + offset`. */
export interface AxisMap {
  scale: number;
  offset: number;
}

/**
 * The map for one axis of a region resampled to `inputSize` pixels whose logits come on a
 * grid of `gridSize` cells. Pixel p's centre (p + 0.5) lands on input coordinate
 * `(p + 0.5 − start)·inputSize/length − 0.5`, the inverse of `resampleRegion`'s sampling.
 */
export function regionAxisMap(start: number, length: number, inputSize: number, gridSize: number): AxisMap {
  const k = inputSize > 1 ? (gridSize - 1) / (inputSize - 1) : 0;
  const s = inputSize / length;
  return { scale: s * k, offset: ((0.5 - start) * s - 0.5) * k };
}

interface AxisTaps {
  i0: Int32Array;
  i1: Int32Array;
  f: Float32Array;
}

/** Two-tap bilinear indices and weights for pixels from…to−1, clamped to the grid (edge values repeat). */
function axisTaps(map: AxisMap, from: number, to: number, gridSize: number): AxisTaps {
  const n = Math.max(0, to - from);
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const f = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const g = Math.min(Math.max(map.scale * (from + j) + map.offset, 0), gridSize - 1);
    const lo = Math.floor(g);
    i0[j] = lo;
    i1[j] = Math.min(lo + 1, gridSize - 1);
    f[j] = g - lo;
  }
  return { i0, i1, f };
}

/**
 * Bilinear upsampling of one logit plane (`gridWidth`×`gridHeight`, row-major) onto the
 * original-image pixels inside `rect`. Returns a rect-sized row-major plane.
 */
export function upsampleBilinear(
  plane: Float32Array,
  gridWidth: number,
  gridHeight: number,
  rect: PixelBounds,
  mapX: AxisMap,
  mapY: AxisMap,
): Float32Array {
  const w = rect.x2 - rect.x1;
  const h = rect.y2 - rect.y1;
  const cols = axisTaps(mapX, rect.x1, rect.x2, gridWidth);
  const rows = axisTaps(mapY, rect.y1, rect.y2, gridHeight);
  const out = new Float32Array(Math.max(0, w * h));
  for (let y = 0; y < h; y++) {
    const r0 = rows.i0[y] * gridWidth;
    const r1 = rows.i1[y] * gridWidth;
    const fy = rows.f[y];
    for (let x = 0; x < w; x++) {
      const a = plane[r0 + cols.i0[x]] + (plane[r0 + cols.i1[x]] - plane[r0 + cols.i0[x]]) * cols.f[x];
      const b = plane[r1 + cols.i0[x]] + (plane[r1 + cols.i1[x]] - plane[r1 + cols.i0[x]]) * cols.f[x];
      out[y * w + x] = a + (b - a) * fy;
    }
  }
  return out;
}

export function sigmoid(x: number): number {
  return 1 / (1 + mathExp(-x));
}

/** The logit whose sigmoid is `p` (±Infinity at 0 and 1). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/**
 * Network outputs for one image, each a row-major `gridWidth`×`gridHeight` grid per channel.
 * - `sigmoid-person` (BodyPix): a separate person logit; a pixel is a person where
 *   `sigmoid(person) > threshold`, and its part is the arg-max over the `parts` channels.
 * - `softmax-background` (SCHP and other LIP parsers): one logit per class, class 0 being
 *   background; a pixel is a person where `1 − softmax(background) > threshold`, and its part
 *   is the arg-max over the other classes.
 */
export type ParseLogits =
  | { kind: 'sigmoid-person'; person: Float32Array; parts: Float32Array; numParts: number }
  | { kind: 'softmax-background'; logits: Float32Array; numClasses: number };

export interface DecodeParseOptions {
  /** Person probability above which a pixel is a person. */
  threshold: number;
  /**
   * Output label for each part channel (sigmoid-person: channel c → labels[c]; softmax: class
   * c → labels[c], entry 0 unused). Labels must be 1…255: 0 means "not a person".
   */
  classToLabel: ArrayLike<number>;
  /** When given (rect-sized), receives the person probability of every person pixel (others are left alone). */
  personProb?: Float32Array;
}

/**
 * Upsamples logits onto the pixels of `rect` and decodes them in one pass, without ever
 * holding full-resolution planes for all channels: rows are interpolated on the grid first,
 * then each pixel interpolates along x. Returns rect-sized labels, 0 where there is no person.
 */
export function decodeParseLogits(
  logits: ParseLogits,
  gridWidth: number,
  gridHeight: number,
  rect: PixelBounds,
  mapX: AxisMap,
  mapY: AxisMap,
  opts: DecodeParseOptions,
): Uint8Array {
  const w = Math.max(0, rect.x2 - rect.x1);
  const h = Math.max(0, rect.y2 - rect.y1);
  const out = new Uint8Array(w * h);
  if (w === 0 || h === 0) return out;
  const cols = axisTaps(mapX, rect.x1, rect.x2, gridWidth);
  const rows = axisTaps(mapY, rect.y1, rect.y2, gridHeight);
  const gridPlane = gridWidth * gridHeight;
  const label = opts.classToLabel;
  const prob = opts.personProb;
  if (prob && prob.length < w * h) throw new RangeError('personProb is smaller than rect');

  const channels = logits.kind === 'sigmoid-person' ? logits.numParts + 1 : logits.numClasses;
  const planes = logits.kind === 'sigmoid-person' ? logits.parts : logits.logits;
  if (label.length < (logits.kind === 'sigmoid-person' ? logits.numParts : logits.numClasses)) {
    throw new RangeError('classToLabel has fewer entries than the model has classes');
  }
  // rowBuf[gx·channels + c]: channel c interpolated along y for the current row, the channels
  // of one grid column side by side (a pixel reads them all, from two columns). For
  // sigmoid-person, slot 0 is the person logit and slot c+1 part channel c.
  const rowBuf = new Float32Array(channels * gridWidth);
  const values = new Float32Array(channels);
  const threshold = opts.threshold;
  const personLogit = logit(threshold);
  // softmax-background: person ⇔ Σ_{c≥1} exp(v_c − v_0) > t/(1−t).
  const ratioLog = logit(threshold);
  const logOthers = Math.log(Math.max(1, channels - 1));

  for (let y = 0; y < h; y++) {
    const r0 = rows.i0[y] * gridWidth;
    const r1 = rows.i1[y] * gridWidth;
    const fy = rows.f[y];
    for (let c = 0; c < channels; c++) {
      let src: Float32Array;
      let base: number;
      if (logits.kind === 'sigmoid-person') {
        src = c === 0 ? logits.person : planes;
        base = c === 0 ? 0 : (c - 1) * gridPlane;
      } else {
        src = planes;
        base = c * gridPlane;
      }
      for (let gx = 0, dst = c; gx < gridWidth; gx++, dst += channels) {
        const a = src[base + r0 + gx];
        rowBuf[dst] = a + (src[base + r1 + gx] - a) * fy;
      }
    }
    const outRow = y * w;
    for (let x = 0; x < w; x++) {
      const x0 = cols.i0[x] * channels;
      const x1 = cols.i1[x] * channels;
      const fx = cols.f[x];
      if (logits.kind === 'sigmoid-person') {
        const p = rowBuf[x0] + (rowBuf[x1] - rowBuf[x0]) * fx;
        if (!(p > personLogit)) continue;
        if (prob) prob[outRow + x] = sigmoid(p);
        let best = 0;
        let bestValue = NEGATIVE_INFINITY;
        for (let c = 1; c < channels; c++) {
          const v = rowBuf[x0 + c] + (rowBuf[x1 + c] - rowBuf[x0 + c]) * fx;
          if (v > bestValue) {
            bestValue = v;
            best = c - 1;
          }
        }
        out[outRow + x] = label[best];
      } else {
        for (let c = 0; c < channels; c++)
          values[c] = rowBuf[x0 + c] + (rowBuf[x1 + c] - rowBuf[x0 + c]) * fx;
        let best = 1;
        for (let c = 2; c < channels; c++) if (values[c] > values[best]) best = c;
        const lead = values[best] - values[0];
        let isPerson: boolean;
        if (lead <= ratioLog && lead + logOthers > ratioLog) {
          // Ambiguous (or the probability is wanted): the exact sum.
          let sum = 0;
          for (let c = 1; c < channels; c++) sum += mathExp(values[c] - values[0]);
          isPerson = 1 / (1 + 1 / sum) > threshold; // sum/(1+sum), 1 when sum overflows
        } else {
          isPerson = lead > ratioLog;
        }
        if (!isPerson) continue;
        out[outRow + x] = label[best];
        if (prob) {
          let sum = 0;
          for (let c = 1; c < channels; c++) sum += mathExp(values[c] - values[0]);
          prob[outRow + x] = 1 / (1 + 1 / sum);
        }
      }
    }
  }
  return out;
}

/**
 * The segmenter's classes (`SCH`: the channel with the highest probability above `threshold`,
 * else none) over `rect`, from its three probability planes (skin, clothes, hair; each
 * `gridWidth`×`gridHeight`, one after another in `probs`), upsampled bilinearly. Only pixels
 * where `mask` is non-zero are decoded (the others stay none): the fusion reads the segmenter
 * only on the person's own pixels, and a person's rect is mostly background.
 */
export function decodeSchClasses(
  probs: Float32Array,
  gridWidth: number,
  gridHeight: number,
  rect: PixelBounds,
  mapX: AxisMap,
  mapY: AxisMap,
  threshold: number,
  mask?: Uint8Array,
): Uint8Array {
  const w = Math.max(0, rect.x2 - rect.x1);
  const h = Math.max(0, rect.y2 - rect.y1);
  const out = new Uint8Array(w * h);
  if (mask && mask.length < w * h) throw new RangeError('mask is smaller than rect');
  const cols = axisTaps(mapX, rect.x1, rect.x2, gridWidth);
  const rows = axisTaps(mapY, rect.y1, rect.y2, gridHeight);
  const plane = gridWidth * gridHeight;
  const at = (base: number, r0: number, r1: number, fy: number, x: number): number => {
    const i0 = cols.i0[x];
    const i1 = cols.i1[x];
    const fx = cols.f[x];
    const a = probs[base + r0 + i0] + (probs[base + r0 + i1] - probs[base + r0 + i0]) * fx;
    const b = probs[base + r1 + i0] + (probs[base + r1 + i1] - probs[base + r1 + i0]) * fx;
    // Rounded as `upsampleBilinear`'s Float32Array stores round, so both decode alike.
    return mathFround(a + (b - a) * fy);
  };
  for (let y = 0; y < h; y++) {
    const r0 = rows.i0[y] * gridWidth;
    const r1 = rows.i1[y] * gridWidth;
    const fy = rows.f[y];
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (mask && mask[i] === 0) continue;
      const s = at(0, r0, r1, fy, x);
      const c = at(plane, r0, r1, fy, x);
      const hr = at(2 * plane, r0, r1, fy, x);
      const best = s >= c ? (s >= hr ? s : hr) : c >= hr ? c : hr;
      if (!(best > threshold)) continue;
      out[i] = best === s ? 1 : best === c ? 2 : 3; // SCH.skin, SCH.clothes, SCH.hair
    }
  }
  return out;
}
