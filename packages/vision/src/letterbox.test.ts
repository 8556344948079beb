import { computeLetterbox, unletterboxBox, type Letterbox } from './letterbox';

/**
 * `Math.round(-0.1)` is -0, so a zero pad can come out as -0; jest's equality tells the two
 * apart, arithmetic and sharp do not. `+ 0` turns -0 into 0.
 */
const plain = (lb: Letterbox): Letterbox =>
  Object.fromEntries(Object.entries(lb).map(([k, v]) => [k, v + 0])) as unknown as Letterbox;

describe('computeLetterbox', () => {
  it('fits a portrait 810x1080 image into 640 with equal side padding', () => {
    // scale = 640 / 1080 = 0.5926; 810 * 0.5926 = 480; (640 - 480) / 2 = 80 each side.
    const lb = plain(computeLetterbox(810, 1080, 640));
    expect(lb.scale).toBeCloseTo(0.5926, 4);
    expect(lb).toMatchObject({
      srcWidth: 810,
      srcHeight: 1080,
      dstWidth: 640,
      dstHeight: 640,
      resizedWidth: 480,
      resizedHeight: 640,
      padLeft: 80,
      padRight: 80,
      padTop: 0,
      padBottom: 0,
    });
  });

  it('fits a landscape 1280x720 image with top and bottom padding', () => {
    // scale 0.5 → 640x360; (640 - 360) / 2 = 140.
    const lb = plain(computeLetterbox(1280, 720, 640));
    expect(lb).toMatchObject({
      scale: 0.5,
      resizedWidth: 640,
      resizedHeight: 360,
      padTop: 140,
      padBottom: 140,
    });
    expect(lb.padLeft + lb.padRight).toBe(0);
  });

  it('puts the odd pixel of padding at the bottom, as Ultralytics does', () => {
    // 640x427 needs 213 rows: dh = 106.5 → top round(106.4) = 106, bottom 107.
    const lb = plain(computeLetterbox(640, 427, 640));
    expect(lb).toMatchObject({ scale: 1, resizedHeight: 427, padTop: 106, padBottom: 107 });
  });

  it('upscales small images', () => {
    const lb = plain(computeLetterbox(320, 240, 640));
    expect(lb).toMatchObject({ scale: 2, resizedWidth: 640, resizedHeight: 480, padTop: 80, padBottom: 80 });
  });

  it('supports a rectangular input', () => {
    // min(640/100, 320/100) = 3.2 → 320x320 inside 640x320: 160 on each side.
    const lb = plain(computeLetterbox(100, 100, 640, 320));
    expect(lb).toMatchObject({
      resizedWidth: 320,
      resizedHeight: 320,
      padLeft: 160,
      padRight: 160,
      padTop: 0,
    });
  });

  it('always fills the input exactly', () => {
    for (const [w, h] of [
      [1, 1],
      [333, 777],
      [4000, 3],
      [641, 639],
    ]) {
      const lb = computeLetterbox(w, h, 640);
      expect(lb.padLeft + lb.resizedWidth + lb.padRight).toBe(640);
      expect(lb.padTop + lb.resizedHeight + lb.padBottom).toBe(640);
      expect(lb.resizedWidth).toBeGreaterThanOrEqual(1);
      expect(lb.resizedHeight).toBeGreaterThanOrEqual(1);
    }
  });

  it('rejects an empty source', () => {
    expect(() => computeLetterbox(0, 100, 640)).toThrow(RangeError);
    expect(() => computeLetterbox(100, Number.NaN, 640)).toThrow(RangeError);
  });
});

describe('unletterboxBox', () => {
  const lb = computeLetterbox(810, 1080, 640);

  it('maps the resized area back onto the whole image', () => {
    expect(unletterboxBox([80, 0, 560, 640], lb)).toEqual([0, 0, 810, 1080]);
  });

  it('removes the padding and undoes the scale', () => {
    // x: (200 - 80) / (480 / 810) = 202.5; y: 320 / (640 / 1080) = 540.
    const [x1, y1, x2, y2] = unletterboxBox([200, 320, 320, 400], lb);
    expect(x1).toBeCloseTo(202.5, 6);
    expect(y1).toBeCloseTo(540, 6);
    expect(x2).toBeCloseTo(405, 6);
    expect(y2).toBeCloseTo(675, 6);
  });

  it('clips boxes that reach into the padding', () => {
    expect(unletterboxBox([10, -20, 600, 700], lb)).toEqual([0, 0, 810, 1080]);
  });

  it('inverts the forward mapping for a landscape image', () => {
    const z = computeLetterbox(1280, 720, 640);
    const src = [100, 50, 900, 700] as const;
    const forward = [src[0] * 0.5, src[1] * 0.5 + 140, src[2] * 0.5, src[3] * 0.5 + 140] as const;
    const back = unletterboxBox(forward, z);
    back.forEach((v, i) => expect(v).toBeCloseTo(src[i], 6));
  });
});
