import { toChwTensor } from './tensor';

// A 2x1 image: pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60).
const rgb = new Uint8Array([10, 20, 30, 40, 50, 60]);

describe('toChwTensor (YOLO normalisation)', () => {
  it('splits interleaved RGB into R, G and B planes and scales', () => {
    const out = toChwTensor(rgb, 2, 1, { scale: 1 / 255, offset: 0, channelOrder: 'rgb' });
    const expected = [10, 40, 20, 50, 30, 60].map((v) => v / 255);
    expect(out).toHaveLength(6);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('applies the offset', () => {
    const out = toChwTensor(new Uint8Array([0, 255, 127]), 1, 1, {
      scale: 1 / 127.5,
      offset: -1,
      channelOrder: 'rgb',
    });
    expect(out[0]).toBeCloseTo(-1, 6);
    expect(out[1]).toBeCloseTo(1, 6);
    expect(out[2]).toBeCloseTo(127 / 127.5 - 1, 6);
  });

  it('writes at an offset so images stack into one batch', () => {
    const batch = new Float32Array(12).fill(-7);
    const returned = toChwTensor(rgb, 2, 1, { scale: 1, offset: 0, channelOrder: 'rgb' }, batch, 6);
    expect(returned).toBe(batch);
    expect(Array.from(batch.subarray(0, 6))).toEqual([-7, -7, -7, -7, -7, -7]);
    expect(Array.from(batch.subarray(6))).toEqual([10, 40, 20, 50, 30, 60]);
  });

  it('rejects too few pixels or too small an output', () => {
    expect(() => toChwTensor(rgb, 2, 2, { scale: 1, offset: 0, channelOrder: 'rgb' })).toThrow(RangeError);
    expect(() =>
      toChwTensor(rgb, 2, 1, { scale: 1, offset: 0, channelOrder: 'rgb' }, new Float32Array(8), 3),
    ).toThrow(RangeError);
  });
});
