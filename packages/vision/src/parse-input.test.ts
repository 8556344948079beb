import {
  boxWithMargin,
  cropInputSize,
  personCropSide,
  expandToAspect,
  isStrideAligned,
  resampleRegion,
  strideAlignedSize,
  type RgbImage,
} from './parse-input';
import { toChwTensor } from './tensor';

function image(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return { data, width, height };
}

describe('sizes', () => {
  it('knows stride·k + 1', () => {
    expect(isStrideAligned(513, 16)).toBe(true);
    expect(isStrideAligned(17, 16)).toBe(true);
    expect(isStrideAligned(512, 16)).toBe(false);
    expect(isStrideAligned(1, 16)).toBe(false);
  });

  it('gives the long side maxSide and the short side the next 16k+1 that keeps the whole region', () => {
    expect(strideAlignedSize(1280, 720, 513, 16)).toEqual({ width: 513, height: 289 });
    expect(strideAlignedSize(810, 1080, 513, 16)).toEqual({ width: 385, height: 513 });
    expect(strideAlignedSize(500, 500, 513, 16)).toEqual({ width: 513, height: 513 });
    // Very thin regions still get at least 17 pixels.
    expect(strideAlignedSize(1000, 1, 513, 16)).toEqual({ width: 513, height: 17 });
    for (const [w, h] of [
      [300, 200],
      [576, 313],
      [500, 752],
    ]) {
      const s = strideAlignedSize(w, h, 513, 16);
      expect(isStrideAligned(s.width, 16) && isStrideAligned(s.height, 16)).toBe(true);
      // The short side is at least as long, relative to the long side, as the region's, so the
      // region only grows along its short side when fitted to the input.
      expect(Math.min(s.width, s.height) / Math.max(s.width, s.height)).toBeGreaterThanOrEqual(
        Math.min(w, h) / Math.max(w, h),
      );
    }
    expect(() => strideAlignedSize(10, 10, 512, 16)).toThrow(RangeError);
  });

  it('buckets crop shapes so similar crops share an input size', () => {
    expect(cropInputSize({ width: 100, height: 260 }, 385, 16)).toEqual({ width: 193, height: 385 });
    expect(cropInputSize({ width: 100, height: 140 }, 385, 16)).toEqual({ width: 289, height: 385 });
    expect(cropInputSize({ width: 100, height: 100 }, 385, 16)).toEqual({ width: 385, height: 385 });
    expect(cropInputSize({ width: 300, height: 100 }, 385, 16)).toEqual({ width: 385, height: 193 });
  });

  it('gives a lone person the largest crop and shrinks crops as 1/√people down to the crowd side', () => {
    expect(personCropSide([100], 641, 385, 16)).toBe(641);
    expect(personCropSide([], 641, 385, 16)).toBe(641);
    expect(personCropSide([100, 100], 641, 385, 16)).toBe(449); // 453 → the 16k+1 below
    expect(personCropSide([100, 100, 100], 641, 385, 16)).toBe(385);
    expect(personCropSide(Array(7).fill(100), 641, 385, 16)).toBe(385);
    expect(personCropSide([100], 385, 385, 16)).toBe(385);
    expect(() => personCropSide([100], 641, 384, 16)).toThrow(RangeError);
  });

  it('counts people by area, so small bystanders barely shrink the main subject', () => {
    expect(personCropSide([10_000, 400, 300], 641, 385, 16)).toBe(609); // n = 1.07: 620 → the 16k+1 below
    expect(personCropSide([10_000, 10_000, 300], 641, 385, 16)).toBe(449);
  });
});

describe('regions', () => {
  it('grows the short side symmetrically to the aspect ratio', () => {
    expect(expandToAspect({ x: 10, y: 20, width: 100, height: 200 }, 1)).toEqual({
      x: -40,
      y: 20,
      width: 200,
      height: 200,
    });
    expect(expandToAspect({ x: 0, y: 0, width: 400, height: 100 }, 2)).toEqual({
      x: 0,
      y: -50,
      width: 400,
      height: 200,
    });
  });

  it('adds a margin proportional to the box size', () => {
    expect(boxWithMargin({ x1: 100, y1: 200, x2: 200, y2: 400 }, 0.1)).toEqual({
      x: 90,
      y: 180,
      width: 120,
      height: 240,
    });
  });
});

describe('resampleRegion', () => {
  const src = image(8, 6, (x, y) => [x * 30, y * 40, 7]);

  it('copies pixels exactly when the region is the image at its own size', () => {
    const out = resampleRegion(src, { x: 0, y: 0, width: 8, height: 6 }, 8, 6, [0, 0, 0]);
    expect(Array.from(out)).toEqual(Array.from(src.data));
  });

  it('cuts an integer sub-region exactly', () => {
    const out = resampleRegion(src, { x: 2, y: 1, width: 3, height: 2 }, 3, 2, [0, 0, 0]);
    expect(Array.from(out.subarray(0, 3))).toEqual([60, 40, 7]);
    expect(Array.from(out.subarray(15, 18))).toEqual([120, 80, 7]);
  });

  it('fills the part of the region outside the image', () => {
    const grey = image(4, 4, () => [200, 100, 50]);
    const out = resampleRegion(grey, { x: -4, y: 0, width: 8, height: 4 }, 8, 4, [114, 114, 114]);
    expect(Array.from(out.subarray(0, 3))).toEqual([114, 114, 114]); // far left: fill
    expect(Array.from(out.subarray(7 * 3, 8 * 3))).toEqual([200, 100, 50]); // far right: image
  });

  it('keeps a uniform colour exact when scaling up or down', () => {
    const flat = image(50, 30, () => [12, 34, 56]);
    for (const [w, h] of [
      [17, 11],
      [129, 77],
    ]) {
      const out = resampleRegion(flat, { x: 0, y: 0, width: 50, height: 30 }, w, h, [0, 0, 0]);
      for (let i = 0; i < out.length; i += 3) expect([out[i], out[i + 1], out[i + 2]]).toEqual([12, 34, 56]);
    }
  });

  it('averages when shrinking (no aliasing of a 1-pixel checkerboard)', () => {
    const checker = image(64, 64, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0]));
    const out = resampleRegion(checker, { x: 0, y: 0, width: 64, height: 64 }, 16, 16, [0, 0, 0]);
    for (const v of out) expect(Math.abs(v - 127.5)).toBeLessThan(20);
  });
});

describe('toChwTensor', () => {
  const rgb = Uint8Array.from([10, 20, 30, 40, 50, 60]); // two pixels

  it('writes RGB planes with scale and offset', () => {
    const out = toChwTensor(rgb, 2, 1, { scale: 1 / 127.5, offset: -1, channelOrder: 'rgb' });
    const expected = [10, 40, 20, 50, 30, 60].map((v) => v / 127.5 - 1);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('writes BGR planes with per-channel mean and std listed in BGR order', () => {
    const mean = [0.406, 0.456, 0.485] as const;
    const std = [0.225, 0.224, 0.229] as const;
    const out = toChwTensor(rgb, 2, 1, { scale: 1 / 255, offset: 0, mean, std, channelOrder: 'bgr' });
    const bgr = [
      [30, 60],
      [20, 50],
      [10, 40],
    ];
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 2; i++) expect(out[c * 2 + i]).toBeCloseTo((bgr[c][i] / 255 - mean[c]) / std[c], 5);
    }
  });

  it('writes at an offset for batching and checks sizes', () => {
    const batch = new Float32Array(12).fill(-9);
    toChwTensor(rgb, 2, 1, { scale: 1, offset: 0, channelOrder: 'rgb' }, batch, 6);
    expect(Array.from(batch)).toEqual([-9, -9, -9, -9, -9, -9, 10, 40, 20, 50, 30, 60]);
    expect(() => toChwTensor(rgb, 2, 2, { scale: 1, offset: 0, channelOrder: 'rgb' })).toThrow(RangeError);
  });
});
