/**
 * Interleaved 8-bit RGB (HWC) → planar float (CHW), `value * scale + offset`, written into
 * `out` at `offset` so several images can be stacked into one batch tensor without copies.
 */
export function hwcToChw(
  rgb: Uint8Array,
  width: number,
  height: number,
  normalize: { scale: number; offset: number },
  out: Float32Array = new Float32Array(3 * width * height),
  outOffset = 0,
): Float32Array {
  const plane = width * height;
  if (rgb.length < plane * 3) throw new RangeError(`expected ${plane * 3} RGB bytes, got ${rgb.length}`);
  if (out.length < outOffset + plane * 3) throw new RangeError('output tensor too small');
  const { scale, offset } = normalize;
  const r = outOffset;
  const g = outOffset + plane;
  const b = outOffset + 2 * plane;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[r + i] = rgb[p] * scale + offset;
    out[g + i] = rgb[p + 1] * scale + offset;
    out[b + i] = rgb[p + 2] * scale + offset;
  }
  return out;
}
