import { composeOverlay } from './overlay';
import type { Rgb } from './palette';

const palette: Rgb[] = [
  [0, 0, 0],
  [255, 0, 0],
  [0, 0, 255],
];
const W = 12;
const H = 12;
const photo = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 7) % 200);
const px = (img: Uint8Array, x: number, y: number) =>
  Array.from(img.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));

describe('composeOverlay', () => {
  it('returns the photo unchanged when nothing is labelled, or at alpha 0', () => {
    expect(Array.from(composeOverlay(photo, W, H, new Uint8Array(W * H), palette, { alpha: 0.5 }))).toEqual(
      Array.from(photo),
    );
    const labels = new Uint8Array(W * H).fill(1);
    expect(Array.from(composeOverlay(photo, W, H, labels, palette, { alpha: 0 }))).toEqual(Array.from(photo));
  });

  it('blends region interiors at alpha and leaves the background alone', () => {
    const labels = new Uint8Array(W * H);
    for (let y = 2; y < 10; y++) for (let x = 2; x < 10; x++) labels[y * W + x] = 1;
    const out = composeOverlay(photo, W, H, labels, palette, { alpha: 0.5 });
    const [r, g, b] = px(photo, 5, 5);
    const [or, og, ob] = px(out, 5, 5);
    expect(Math.abs(or - (r + 255) / 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(og - g / 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(ob - b / 2)).toBeLessThanOrEqual(1);
    expect(px(out, 0, 0)).toEqual(px(photo, 0, 0));
    expect(px(out, 1, 5)).toEqual(px(photo, 1, 5)); // next to the region: background stays
    // The region's own border is drawn more opaquely than its interior.
    expect(px(out, 2, 5)[0]).toBeGreaterThan(or);
  });

  it('draws a small region after (over) the large one around it', () => {
    const labels = new Uint8Array(W * H).fill(1); // large red region
    labels[6 * W + 6] = 2; // one blue pixel inside it
    const out = composeOverlay(photo, W, H, labels, palette, { alpha: 0.5 });
    // The blue region's rim covers its red neighbours: they lean blue, not red.
    const [r, , b] = px(out, 5, 6);
    expect(b).toBeGreaterThan(r);
    expect(px(out, 6, 6)[2]).toBeGreaterThan(px(out, 6, 6)[0]);
  });

  it('outlines where one person meets another', () => {
    const labels = new Uint8Array(W * H).fill(1);
    const owner = Uint16Array.from({ length: W * H }, (_, i) => (i % W < 6 ? 1 : 2));
    const out = composeOverlay(photo, W, H, labels, palette, { alpha: 0.5, owner });
    const seam = px(out, 5, 6);
    expect(Math.min(...seam)).toBeGreaterThan(200); // near white
    expect(Math.min(...px(out, 2, 6))).toBeLessThan(200);
  });
});
