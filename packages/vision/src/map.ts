import { iou, type ScoredBox } from './nms';

export interface GroundTruthBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  classId: number;
}

export interface ImageEvaluation {
  detections: readonly ScoredBox[];
  groundTruth: readonly GroundTruthBox[];
}

/** IoU thresholds 0.50, 0.55, …, 0.95 as in COCO. */
export const COCO_IOU_THRESHOLDS = Array.from({ length: 10 }, (_, i) => 0.5 + 0.05 * i);

export interface MapResult {
  map50: number;
  map50_95: number;
  /** AP per class id (averaged over IoU thresholds), for classes present in the ground truth. */
  apPerClass: Map<number, { ap50: number; ap50_95: number; gt: number }>;
}

/**
 * COCO-style mean average precision: per class, detections are taken in descending score
 * and each is matched to the unmatched ground-truth box of its class with the highest
 * IoU (at or above the threshold); AP is the mean of the precision envelope sampled at
 * 101 recall points. Classes without ground truth are left out of the mean.
 */
export function meanAveragePrecision(images: readonly ImageEvaluation[]): MapResult {
  const classes = new Set<number>();
  for (const img of images) for (const g of img.groundTruth) classes.add(g.classId);

  const apPerClass = new Map<number, { ap50: number; ap50_95: number; gt: number }>();
  for (const classId of classes) {
    const aps = COCO_IOU_THRESHOLDS.map((t) => averagePrecision(images, classId, t));
    const gt = images.reduce((n, img) => n + img.groundTruth.filter((g) => g.classId === classId).length, 0);
    apPerClass.set(classId, { ap50: aps[0], ap50_95: mean(aps), gt });
  }
  const values = [...apPerClass.values()];
  return {
    map50: mean(values.map((v) => v.ap50)),
    map50_95: mean(values.map((v) => v.ap50_95)),
    apPerClass,
  };
}

function averagePrecision(images: readonly ImageEvaluation[], classId: number, threshold: number): number {
  const scored: { score: number; tp: boolean }[] = [];
  let totalGt = 0;
  for (const img of images) {
    const gts = img.groundTruth.filter((g) => g.classId === classId);
    totalGt += gts.length;
    const dets = img.detections.filter((d) => d.classId === classId).sort((a, b) => b.score - a.score);
    const matched = new Array<boolean>(gts.length).fill(false);
    for (const d of dets) {
      let best = -1;
      let bestIou = threshold;
      for (let g = 0; g < gts.length; g++) {
        if (matched[g]) continue;
        const o = iou(d, { ...gts[g], score: 0 });
        if (o >= bestIou) {
          bestIou = o;
          best = g;
        }
      }
      if (best >= 0) matched[best] = true;
      scored.push({ score: d.score, tp: best >= 0 });
    }
  }
  if (totalGt === 0) return 0;
  scored.sort((a, b) => b.score - a.score);
  const precision: number[] = [];
  const recall: number[] = [];
  let tp = 0;
  for (let i = 0; i < scored.length; i++) {
    if (scored[i].tp) tp++;
    precision.push(tp / (i + 1));
    recall.push(tp / totalGt);
  }
  // Precision envelope: best precision at any recall at or beyond this point.
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i], precision[i + 1]);
  let sum = 0;
  let k = 0;
  for (let r = 0; r <= 100; r++) {
    const target = r / 100;
    while (k < recall.length && recall[k] < target) k++;
    sum += k < recall.length ? precision[k] : 0;
  }
  return sum / 101;
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
