/**
 * How 0–255 pixels become network inputs: `(v·scale + offset − mean[c]) / std[c]`, with the
 * planes laid out in `channelOrder`. `mean`/`std` are listed in that same order.
 */
export interface Normalisation {
  scale: number;
  offset: number;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  channelOrder: 'rgb' | 'bgr';
}

/**
 * Interleaved RGB → planar float (CHW) with `norm`, written into `out` at `outOffset` so
 * crops can be stacked into one batch tensor.
 */
export function toChwTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  norm: Normalisation,
  out: Float32Array = new Float32Array(3 * width * height),
  outOffset = 0,
): Float32Array {
  const plane = width * height;
  if (rgb.length < plane * 3) throw new RangeError(`expected ${plane * 3} RGB bytes, got ${rgb.length}`);
  if (out.length < outOffset + plane * 3) throw new RangeError('output tensor too small');
  // Plane p (model order) gets v·a[p] + b[p]; one pass over the pixels writes all three
  // planes, with literal byte offsets per channel order (a variable offset halves the speed).
  const a = [0, 1, 2].map((p) => norm.scale / (norm.std?.[p] ?? 1));
  const b = [0, 1, 2].map((p) => (norm.offset - (norm.mean?.[p] ?? 0)) / (norm.std?.[p] ?? 1));
  const [a0, a1, a2] = a;
  const [b0, b1, b2] = b;
  const p0 = outOffset;
  const p1 = outOffset + plane;
  const p2 = outOffset + 2 * plane;
  if (norm.channelOrder === 'bgr') {
    for (let i = 0, q = 0; i < plane; i++, q += 3) {
      out[p0 + i] = rgb[q + 2] * a0 + b0;
      out[p1 + i] = rgb[q + 1] * a1 + b1;
      out[p2 + i] = rgb[q] * a2 + b2;
    }
  } else {
    for (let i = 0, q = 0; i < plane; i++, q += 3) {
      out[p0 + i] = rgb[q] * a0 + b0;
      out[p1 + i] = rgb[q + 1] * a1 + b1;
      out[p2 + i] = rgb[q + 2] * a2 + b2;
    }
  }
  return out;
}
