import type { ScoredBox } from './nms';

export interface YoloDecodeOptions {
  /** Keep a (box, class) pair when its class score reaches this. */
  confidence: number;
  /**
   * Emit one candidate per class above `confidence` (as Ultralytics does for mAP
   * evaluation) instead of only the best class per anchor.
   */
  multiLabel?: boolean;
  /** Cap on candidates fed to NMS, highest scores kept (Ultralytics: 30000). */
  maxCandidates?: number;
  /** Record each box's anchor index (`ScoredBox.anchor`), for heads with per-anchor extras. */
  withAnchor?: boolean;
}

/**
 * Decodes one image of a YOLOv8 head output laid out as [4 + classes, anchors]: rows 0–3
 * are cx, cy, w, h in input pixels, the rest are class scores already through a sigmoid.
 * `data` is the image's own slice of the batch output. Rows after the class scores (a
 * segmentation head's mask coefficients) are ignored here.
 */
export function decodeYoloOutput(
  data: Float32Array,
  numAnchors: number,
  numClasses: number,
  opts: YoloDecodeOptions,
): ScoredBox[] {
  if (data.length < (4 + numClasses) * numAnchors) {
    throw new RangeError(`YOLO output too short: ${data.length} < ${(4 + numClasses) * numAnchors}`);
  }
  const out: ScoredBox[] = [];
  const push = (a: number, classId: number, score: number) => {
    const cx = data[a];
    const cy = data[numAnchors + a];
    const w = data[2 * numAnchors + a];
    const h = data[3 * numAnchors + a];
    const box: ScoredBox = { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId };
    if (opts.withAnchor) box.anchor = a;
    out.push(box);
  };
  for (let a = 0; a < numAnchors; a++) {
    if (opts.multiLabel) {
      for (let c = 0; c < numClasses; c++) {
        const s = data[(4 + c) * numAnchors + a];
        if (s >= opts.confidence) push(a, c, s);
      }
      continue;
    }
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < numClasses; c++) {
      const s = data[(4 + c) * numAnchors + a];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    if (bestScore >= opts.confidence) push(a, best, bestScore);
  }
  const cap = opts.maxCandidates ?? 30_000;
  if (out.length > cap) {
    out.sort((x, y) => y.score - x.score);
    out.length = cap;
  }
  return out;
}
