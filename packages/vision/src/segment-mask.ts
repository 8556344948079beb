import type { Letterbox } from './letterbox';
import type { Rle } from './rle';

// Hot loops use module-level aliases (see rle.ts: jest's vm context makes global lookups slow).
const { exp: mathExp, floor: mathFloor, ceil: mathCeil, min: mathMin, max: mathMax } = Math;

/**
 * YOLOv8-seg instance masks, as Ultralytics' `process_mask` builds them: each instance has
 * `channels` mask coefficients in the head output; its mask is sigmoid(coefficients ·
 * prototypes), cropped to its box, upsampled and thresholded at 0.5. Here the crop happens
 * on the prototype grid (80×80 for a 320 input) and the upsampling goes straight from that
 * grid to original-image pixels through the inverse letterbox, so no input-sized
 * intermediate is built and only pixels inside the box are visited.
 */
export interface ProtoShape {
  /** Mask coefficients per instance (32). */
  channels: number;
  width: number;
  height: number;
}

/** Box corners, `[x1, y1, x2, y2]`. */
export type Corners = readonly [number, number, number, number];

/**
 * A binary mask at original resolution stored only over its box: `data` is row-major,
 * `width`×`height`, and its top-left pixel is (`left`, `top`) of the image. Pixels outside
 * are unset.
 */
export interface BoxMask {
  left: number;
  top: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** The `channels` coefficients of one anchor in a [4 + classes + channels, anchors] head. */
export function maskCoefficients(
  head: Float32Array,
  numAnchors: number,
  numClasses: number,
  channels: number,
  anchor: number,
): Float32Array {
  if (head.length < (4 + numClasses + channels) * numAnchors)
    throw new RangeError(
      `head has ${head.length} values, expected ${(4 + numClasses + channels) * numAnchors}`,
    );
  if (!(anchor >= 0 && anchor < numAnchors)) throw new RangeError(`anchor ${anchor} is out of range`);
  const out = new Float32Array(channels);
  const base = (4 + numClasses) * numAnchors + anchor;
  for (let k = 0; k < channels; k++) out[k] = head[base + k * numAnchors];
  return out;
}

/**
 * sigmoid(coefficients · prototypes) on the prototype grid, zeroed outside `box` (given in
 * model-input pixels). A grid cell is kept when its index lies in [x1, x2) × [y1, y2) after
 * scaling the box to the grid, which is Ultralytics' `crop_mask`.
 */
export function instanceProbabilities(
  coefficients: Float32Array,
  protos: Float32Array,
  proto: ProtoShape,
  box: Corners,
  input: { width: number; height: number },
): Float32Array {
  const plane = proto.width * proto.height;
  if (coefficients.length !== proto.channels) throw new RangeError('coefficient count differs from channels');
  if (protos.length < plane * proto.channels) throw new RangeError('prototype tensor is too short');
  const sx = proto.width / input.width;
  const sy = proto.height / input.height;
  const cx1 = box[0] * sx;
  const cx2 = box[2] * sx;
  const cy1 = box[1] * sy;
  const cy2 = box[3] * sy;
  const out = new Float32Array(plane);
  const gx1 = mathMax(0, mathCeil(cx1));
  const gx2 = mathMin(proto.width, mathCeil(cx2));
  const gy1 = mathMax(0, mathCeil(cy1));
  const gy2 = mathMin(proto.height, mathCeil(cy2));
  for (let y = gy1; y < gy2; y++) {
    for (let x = gx1; x < gx2; x++) {
      const i = y * proto.width + x;
      let sum = 0;
      for (let k = 0; k < proto.channels; k++) sum += coefficients[k] * protos[k * plane + i];
      out[i] = 1 / (1 + mathExp(-sum));
    }
  }
  return out;
}

/**
 * Samples a prototype-grid probability map at each original-image pixel inside `box`
 * (original pixels, clipped to the image) and thresholds it. A pixel's centre goes through
 * the letterbox (scale, then pad) into model-input pixels and from there onto the grid, with
 * half-pixel centres as in bilinear `interpolate(align_corners=False)`.
 */
export function maskAtOriginal(
  probs: Float32Array,
  proto: ProtoShape,
  lb: Letterbox,
  box: Corners,
  threshold = 0.5,
): BoxMask {
  const left = mathMax(0, mathFloor(box[0]));
  const top = mathMax(0, mathFloor(box[1]));
  const right = mathMin(lb.srcWidth, mathCeil(box[2]));
  const bottom = mathMin(lb.srcHeight, mathCeil(box[3]));
  const width = mathMax(0, right - left);
  const height = mathMax(0, bottom - top);
  const data = new Uint8Array(width * height);
  if (width === 0 || height === 0) return { left, top, width, height, data };
  // original pixel → input pixel → grid cell
  const ux = (lb.resizedWidth / lb.srcWidth) * (proto.width / lb.dstWidth);
  const uy = (lb.resizedHeight / lb.srcHeight) * (proto.height / lb.dstHeight);
  const ox = lb.padLeft * (proto.width / lb.dstWidth) - 0.5;
  const oy = lb.padTop * (proto.height / lb.dstHeight) - 0.5;
  const pw = proto.width;
  const maxX = proto.width - 1;
  const maxY = proto.height - 1;
  // Column weights are the same on every row: compute them once.
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let c = 0; c < width; c++) {
    const gx = mathMin(mathMax((left + c + 0.5) * ux + ox, 0), maxX);
    const x0 = mathFloor(gx);
    x0s[c] = x0;
    x1s[c] = mathMin(x0 + 1, maxX);
    wxs[c] = gx - x0;
  }
  for (let r = 0; r < height; r++) {
    const gy = mathMin(mathMax((top + r + 0.5) * uy + oy, 0), maxY);
    const y0 = mathFloor(gy);
    const y1 = mathMin(y0 + 1, maxY);
    const wy = gy - y0;
    const row0 = y0 * pw;
    const row1 = y1 * pw;
    const out = r * width;
    for (let c = 0; c < width; c++) {
      const wx = wxs[c];
      const a = probs[row0 + x0s[c]] + (probs[row0 + x1s[c]] - probs[row0 + x0s[c]]) * wx;
      const b = probs[row1 + x0s[c]] + (probs[row1 + x1s[c]] - probs[row1 + x0s[c]]) * wx;
      if (a + (b - a) * wy > threshold) data[out + c] = 1;
    }
  }
  return { left, top, width, height, data };
}

/** Set pixels of a box mask. */
export function boxMaskArea(mask: BoxMask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) n += mask.data[i];
  return n;
}

/**
 * COCO's uncompressed RLE (column-major, see `Rle`) of a box mask placed in an image of
 * `imageWidth`×`imageHeight`, without building the full-size mask.
 */
export function boxMaskToRle(mask: BoxMask, imageWidth: number, imageHeight: number): Rle {
  if (mask.left + mask.width > imageWidth || mask.top + mask.height > imageHeight)
    throw new RangeError('the box mask does not fit the image');
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  const add = (value: number, n: number) => {
    if (n <= 0) return;
    if (value !== current) {
      counts.push(run);
      run = 0;
      current = value;
    }
    run += n;
  };
  add(0, mask.left * imageHeight);
  for (let c = 0; c < mask.width; c++) {
    add(0, mask.top);
    for (let r = 0; r < mask.height; r++) add(mask.data[r * mask.width + c], 1);
    add(0, imageHeight - mask.top - mask.height);
  }
  add(0, (imageWidth - mask.left - mask.width) * imageHeight);
  counts.push(run);
  return { size: [imageHeight, imageWidth], counts };
}

/** The full-size row-major mask of a box mask, with `value` for set pixels (255 for a PNG). */
export function boxMaskToFull(mask: BoxMask, imageWidth: number, imageHeight: number, value = 1): Uint8Array {
  const out = new Uint8Array(imageWidth * imageHeight);
  for (let r = 0; r < mask.height; r++) {
    const y = mask.top + r;
    if (y >= imageHeight) break;
    for (let c = 0; c < mask.width; c++) {
      if (mask.data[r * mask.width + c] && mask.left + c < imageWidth)
        out[y * imageWidth + mask.left + c] = value;
    }
  }
  return out;
}
