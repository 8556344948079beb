import type { Rgb } from './palette';

export interface OverlayOptions {
  /** Opacity of the part colours over the photo, 0–1. */
  alpha: number;
  /**
   * Person id per pixel (0 = none). When given, borders between different people (and
   * between a person and the background) are drawn in white, so touching people stay apart.
   */
  owner?: ArrayLike<number>;
}

/**
 * The photo with each labelled pixel blended towards its label's colour at `alpha`, and
 * region borders drawn more opaquely so shapes read at a glance.
 *
 * Regions are painted largest first. Each region's border is drawn one pixel into its
 * neighbours as well, so a small region painted later (a foot, a face) keeps a visible rim
 * even where a large region (the torso) surrounds it. Border pixels never spill onto the
 * background, and label 0 is never painted: an image without people comes back unchanged.
 */
export function composeOverlay(
  rgb: Uint8Array,
  width: number,
  height: number,
  labels: Uint8Array,
  palette: readonly Rgb[],
  opts: OverlayOptions,
): Uint8Array {
  const n = width * height;
  if (rgb.length < n * 3 || labels.length < n)
    throw new RangeError('image and labels must cover width×height');
  const out = new Uint8Array(rgb.subarray(0, n * 3));
  const alpha = Math.min(1, Math.max(0, opts.alpha));
  if (alpha === 0) return out;
  const edgeAlpha = Math.min(1, alpha + 0.35);

  const area = new Array<number>(256).fill(0);
  for (let i = 0; i < n; i++) if (labels[i] !== 0) area[labels[i]]++;
  const order = area
    .map((a, label) => ({ a, label }))
    .filter((r) => r.label !== 0 && r.a > 0)
    .sort((p, q) => q.a - p.a || p.label - q.label)
    .map((r) => r.label);
  if (order.length === 0) return out;

  // Per-label colours and the blend as integer maths: out = rgb + (colour − rgb)·a.
  const fill = Math.round(alpha * 256);
  const edge = Math.round(edgeAlpha * 256);
  const blendInto = (i: number, colour: Rgb, a256: number) => {
    const p = i * 3;
    out[p] = rgb[p] + (((colour[0] - rgb[p]) * a256 + 128) >> 8);
    out[p + 1] = rgb[p + 1] + (((colour[1] - rgb[p + 1]) * a256 + 128) >> 8);
    out[p + 2] = rgb[p + 2] + (((colour[2] - rgb[p + 2]) * a256 + 128) >> 8);
  };
  const colourOf = (label: number): Rgb => palette[label] ?? [255, 255, 255];

  // Fills: regions are disjoint, so one pass paints them all.
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l !== 0) blendInto(i, colourOf(l), fill);
  }

  // Borders, largest region first so smaller ones are drawn over them: a border pixel of
  // region L marks itself and its labelled neighbours of other labels with L's rank, and the
  // highest rank (the smallest region) wins.
  const rank = new Int32Array(256).fill(-1);
  order.forEach((label, r) => (rank[label] = r));
  const edgeRank = new Int32Array(n).fill(-1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const l = labels[i];
      if (l === 0) continue;
      const r = rank[l];
      let border = false;
      if (x > 0 && labels[i - 1] !== l) {
        border = true;
        if (labels[i - 1] !== 0 && r > edgeRank[i - 1]) edgeRank[i - 1] = r;
      }
      if (x + 1 < width && labels[i + 1] !== l) {
        border = true;
        if (labels[i + 1] !== 0 && r > edgeRank[i + 1]) edgeRank[i + 1] = r;
      }
      if (y > 0 && labels[i - width] !== l) {
        border = true;
        if (labels[i - width] !== 0 && r > edgeRank[i - width]) edgeRank[i - width] = r;
      }
      if (y + 1 < height && labels[i + width] !== l) {
        border = true;
        if (labels[i + width] !== 0 && r > edgeRank[i + width]) edgeRank[i + width] = r;
      }
      if (border && r > edgeRank[i]) edgeRank[i] = r;
    }
  }
  for (let i = 0; i < n; i++) if (edgeRank[i] >= 0) blendInto(i, colourOf(order[edgeRank[i]]), edge);

  // Person outlines.
  const owner = opts.owner;
  if (owner) {
    const white: Rgb = [255, 255, 255];
    const outline = Math.round(0.85 * 256);
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        const o = owner[i];
        if (o === 0 || labels[i] === 0) continue;
        const differs =
          (x > 0 && owner[i - 1] !== o) ||
          (x + 1 < width && owner[i + 1] !== o) ||
          (y > 0 && owner[i - width] !== o) ||
          (y + 1 < height && owner[i + width] !== o);
        if (differs) blendInto(i, white, outline);
      }
    }
  }
  return out;
}
