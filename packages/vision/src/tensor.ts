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
  // For plane p (model order), which RGB byte it reads and its affine map v·a + b.
  const source = norm.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  for (let p = 0; p < 3; p++) {
    const mean = norm.mean?.[p] ?? 0;
    const std = norm.std?.[p] ?? 1;
    const a = norm.scale / std;
    const b = (norm.offset - mean) / std;
    const base = outOffset + p * plane;
    const s = source[p];
    for (let i = 0, q = s; i < plane; i++, q += 3) out[base + i] = rgb[q] * a + b;
  }
  return out;
}
