import { decodeRle, encodeRle, rleArea } from './rle';

// 3 wide, 2 high, row-major:
//   0 1 1
//   0 1 0
// Column-major order reads 0,0 | 1,1 | 1,0 → runs 2 zeros, 3 ones, 1 zero.
const mask = Uint8Array.from([0, 1, 1, 0, 1, 0]);

function randomMask(w: number, h: number, seed: number, density = 0.4): Uint8Array {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Uint8Array.from({ length: w * h }, () => (rnd() < density ? 1 : 0));
}

describe('encodeRle', () => {
  it('reads column-major and starts with a run of zeros', () => {
    expect(encodeRle(mask, 3, 2)).toEqual({ size: [2, 3], counts: [2, 3, 1] });
  });

  it('starts with a zero-length run when the first pixel is set', () => {
    expect(encodeRle(Uint8Array.from([1, 0, 0, 0]), 2, 2).counts).toEqual([0, 1, 3]);
  });

  it('encodes an empty and a full mask', () => {
    expect(encodeRle(new Uint8Array(6), 3, 2).counts).toEqual([6]);
    expect(encodeRle(new Uint8Array(6).fill(1), 3, 2).counts).toEqual([0, 6]);
  });

  it('selects one value of a label map', () => {
    const ids = Uint8Array.from([0, 2, 2, 1, 2, 0]);
    expect(encodeRle(ids, 3, 2, { value: 2 }).counts).toEqual([2, 3, 1]);
    expect(encodeRle(ids, 3, 2, { value: 1 }).counts).toEqual([1, 1, 4]);
  });

  it('gives the same counts when told the bounds of the set pixels', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const w = 7 + (seed % 5);
      const h = 5 + (seed % 4);
      const m = new Uint8Array(w * h);
      // Set pixels only inside a sub-rectangle, then encode with and without its bounds.
      const b = { x1: 1 + (seed % 3), y1: seed % 2, x2: w - 1, y2: h - (seed % 3) };
      const r = randomMask(w, h, seed, 0.5);
      for (let y = b.y1; y < b.y2; y++) for (let x = b.x1; x < b.x2; x++) m[y * w + x] = r[y * w + x];
      // Ensure the last row/column inside the bounds is set somewhere, to exercise run splits.
      m[(b.y2 - 1) * w + b.x1] = 1;
      expect(encodeRle(m, w, h, { bounds: b })).toEqual(encodeRle(m, w, h));
    }
  });
});

describe('decodeRle and rleArea', () => {
  it('round-trip random masks', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const m = randomMask(13, 9, seed);
      const rle = encodeRle(m, 13, 9);
      expect(Array.from(decodeRle(rle))).toEqual(Array.from(m));
      expect(rleArea(rle)).toBe(m.reduce((a, b) => a + b, 0));
      expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(13 * 9);
    }
  });

  it('rejects counts that do not cover the size', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 1] })).toThrow(RangeError);
  });
});
