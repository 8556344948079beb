import { COCO_SKELETON, type Keypoint } from './pose-decode';

/**
 * Draws a pose skeleton into an interleaved RGB buffer in place: a line per `COCO_SKELETON`
 * edge whose two keypoints score at least `minScore`, and a dot per such keypoint. Line width
 * and dot size grow with the image so the skeleton reads at any resolution.
 */
export function drawSkeleton(
  rgb: Uint8Array,
  width: number,
  height: number,
  keypoints: readonly Keypoint[],
  opts: {
    minScore?: number;
    line?: readonly [number, number, number];
    dot?: readonly [number, number, number];
  } = {},
): void {
  const minScore = opts.minScore ?? 0.3;
  const line = opts.line ?? [255, 255, 255];
  const dot = opts.dot ?? [255, 40, 40];
  const r = Math.max(1, Math.round(Math.min(width, height) / 300));
  const disc = (cx: number, cy: number, radius: number, colour: readonly number[]) => {
    const x0 = Math.max(0, Math.floor(cx - radius));
    const x1 = Math.min(width - 1, Math.ceil(cx + radius));
    const y0 = Math.max(0, Math.floor(cy - radius));
    const y1 = Math.min(height - 1, Math.ceil(cy + radius));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > radius * radius) continue;
        const i = (y * width + x) * 3;
        rgb[i] = colour[0];
        rgb[i + 1] = colour[1];
        rgb[i + 2] = colour[2];
      }
    }
  };
  for (const [a, b] of COCO_SKELETON) {
    const p = keypoints[a];
    const q = keypoints[b];
    if (!p || !q || p.score < minScore || q.score < minScore) continue;
    const steps = Math.max(1, Math.ceil(Math.hypot(q.x - p.x, q.y - p.y)));
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      disc(p.x + (q.x - p.x) * t, p.y + (q.y - p.y) * t, r, line);
    }
  }
  for (const k of keypoints) if (k.score >= minScore) disc(k.x, k.y, r * 2.5, dot);
}
