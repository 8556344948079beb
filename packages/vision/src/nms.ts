/** A box in x1, y1, x2, y2 order with a score and class. */
export interface ScoredBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
  /** Which head anchor the box came from (segmentation reads its mask coefficients there). */
  anchor?: number;
}

export function iou(a: ScoredBox, b: ScoredBox): number {
  const ix = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const iy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy class-aware non-maximum suppression: a box is dropped only by a higher-scored
 * box of the same class overlapping it by more than `iouThreshold`. Returns at most
 * `maxDetections` boxes, highest score first.
 */
export function nms(
  boxes: readonly ScoredBox[],
  iouThreshold: number,
  maxDetections = Infinity,
): ScoredBox[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const keptByClass = new Map<number, ScoredBox[]>();
  const kept: ScoredBox[] = [];
  for (const box of sorted) {
    if (kept.length >= maxDetections) break;
    const sameClass = keptByClass.get(box.classId);
    if (sameClass?.some((k) => iou(k, box) > iouThreshold)) continue;
    kept.push(box);
    if (sameClass) sameClass.push(box);
    else keptByClass.set(box.classId, [box]);
  }
  return kept;
}
