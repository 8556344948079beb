import { computeLetterbox } from './letterbox';
import { decodeRle, encodeRle } from './rle';
import {
  boxMaskArea,
  boxMaskToFull,
  boxMaskToRle,
  instanceProbabilities,
  maskAtOriginal,
  maskCoefficients,
  type BoxMask,
} from './segment-mask';
import { composeInstanceOverlay } from './segment-overlay';

describe('maskCoefficients', () => {
  it('reads the rows after the class scores at the anchor', () => {
    // 2 anchors, 1 class, 3 coefficients: rows 0-3 box, row 4 score, rows 5-7 coefficients.
    const head = Float32Array.from({ length: 8 * 2 }, (_, i) => i);
    expect([...maskCoefficients(head, 2, 1, 3, 1)]).toEqual([11, 13, 15]);
    expect(() => maskCoefficients(head, 2, 1, 3, 2)).toThrow(RangeError);
    expect(() => maskCoefficients(head, 2, 2, 3, 0)).toThrow(RangeError);
  });
});

describe('instanceProbabilities', () => {
  const proto = { channels: 2, width: 4, height: 4 };
  // Channel 0 is +4 everywhere, channel 1 is −4 everywhere.
  const protos = Float32Array.from({ length: 32 }, (_, i) => (i < 16 ? 4 : -4));

  it('is sigmoid(coefficients · prototypes) inside the box and 0 outside', () => {
    const probs = instanceProbabilities(Float32Array.of(1, 0.5), protos, proto, [0, 0, 8, 16], {
      width: 16,
      height: 16,
    });
    const inside = 1 / (1 + Math.exp(-2));
    // The box covers grid columns 0–1 (x < 8 → cells x < 2), all rows.
    for (let y = 0; y < 4; y++) {
      expect(probs[y * 4]).toBeCloseTo(inside, 6);
      expect(probs[y * 4 + 1]).toBeCloseTo(inside, 6);
      expect(probs[y * 4 + 2]).toBe(0);
      expect(probs[y * 4 + 3]).toBe(0);
    }
  });

  it('refuses a coefficient count that does not match', () => {
    expect(() =>
      instanceProbabilities(Float32Array.of(1), protos, proto, [0, 0, 1, 1], { width: 4, height: 4 }),
    ).toThrow(RangeError);
  });
});

describe('maskAtOriginal', () => {
  it('maps a grid region back through the letterbox to original pixels, only inside the box', () => {
    // A 200×100 image in a 16×16 input: scale 0.08, resized 16×8, padded 4 rows top and bottom.
    const lb = computeLetterbox(200, 100, 16, 16);
    expect(lb.padTop).toBe(4);
    const proto = { channels: 1, width: 4, height: 4 };
    // Grid cells: rows 1–2 are the image (input rows 4–11); set columns 0–1 (left half).
    const probs = new Float32Array(16);
    for (const y of [1, 2]) for (const x of [0, 1]) probs[y * 4 + x] = 1;
    const whole = maskAtOriginal(probs, proto, lb, [0, 0, 200, 100]);
    expect(whole).toMatchObject({ left: 0, top: 0, width: 200, height: 100 });
    // Left half set (up to the bilinear 0.5 crossing at grid x = 1.5 → original x = 100), right half not.
    expect(whole.data[50 * 200 + 10]).toBe(1);
    expect(whole.data[50 * 200 + 98]).toBe(1);
    expect(whole.data[50 * 200 + 102]).toBe(0);
    expect(whole.data[50 * 200 + 190]).toBe(0);
    // A box over part of it keeps only its own pixels.
    const part = maskAtOriginal(probs, proto, lb, [50.4, 10.2, 150.7, 90]);
    expect(part).toMatchObject({ left: 50, top: 10, width: 101, height: 80 });
    // Its middle rows hold columns 50–99; bilinear blending rounds the region's corners.
    const row = (r: number) => part.data.subarray(r * part.width, (r + 1) * part.width);
    expect([...row(40)].map((v, c) => (v ? c : -1)).filter((c) => c >= 0)).toEqual(
      Array.from({ length: 50 }, (_, c) => c),
    );
    expect(boxMaskArea(part)).toBeGreaterThan(3800);
    expect(boxMaskArea(part)).toBeLessThanOrEqual(4000);
  });

  it('returns an empty mask for a box outside the image', () => {
    const lb = computeLetterbox(10, 10, 8, 8);
    const m = maskAtOriginal(
      new Float32Array(4).fill(1),
      { channels: 1, width: 2, height: 2 },
      lb,
      [20, 20, 30, 30],
    );
    expect(m.width * m.height).toBe(0);
  });
});

describe('box masks', () => {
  const mask: BoxMask = { left: 2, top: 1, width: 3, height: 2, data: Uint8Array.of(1, 0, 1, 1, 1, 0) };

  it('encode to the same RLE as the full-size mask', () => {
    const full = boxMaskToFull(mask, 6, 4);
    expect(boxMaskToRle(mask, 6, 4)).toEqual(encodeRle(full, 6, 4));
    expect(decodeRle(boxMaskToRle(mask, 6, 4))).toEqual(full);
    expect(boxMaskArea(mask)).toBe(4);
  });

  it('encode a mask whose first pixel is set with a leading zero run', () => {
    const corner: BoxMask = { left: 0, top: 0, width: 1, height: 1, data: Uint8Array.of(1) };
    expect(boxMaskToRle(corner, 2, 2).counts).toEqual([0, 1, 3]);
  });

  it('refuse a mask that does not fit the image', () => {
    expect(() => boxMaskToRle(mask, 4, 4)).toThrow(RangeError);
  });
});

describe('composeInstanceOverlay', () => {
  it('tints only the masked pixels, and the border more than the inside', () => {
    const rgb = new Uint8Array(5 * 5 * 3).fill(100);
    const m: BoxMask = { left: 1, top: 1, width: 3, height: 3, data: new Uint8Array(9).fill(1) };
    const out = composeInstanceOverlay(rgb, 5, 5, [m], 0.5);
    const px = (x: number, y: number) => [...out.subarray((y * 5 + x) * 3, (y * 5 + x) * 3 + 3)];
    expect(px(0, 0)).toEqual([100, 100, 100]);
    // Instance 0 is red (#ff3b30): the red channel rises, more at the border.
    expect(px(2, 2)[0]).toBeGreaterThan(100);
    expect(px(1, 1)[0]).toBeGreaterThan(px(2, 2)[0]);
  });
});
