import { COCO_IOU_THRESHOLDS, meanAveragePrecision, type GroundTruthBox } from './map';
import type { ScoredBox } from './nms';

const gt = (x1: number, y1: number, x2: number, y2: number, classId = 0): GroundTruthBox => ({
  x1,
  y1,
  x2,
  y2,
  classId,
});
const det = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0): ScoredBox => ({
  x1,
  y1,
  x2,
  y2,
  score,
  classId,
});

describe('COCO_IOU_THRESHOLDS', () => {
  it('runs 0.50 to 0.95 in steps of 0.05', () => {
    expect(COCO_IOU_THRESHOLDS).toHaveLength(10);
    expect(COCO_IOU_THRESHOLDS[0]).toBe(0.5);
    expect(COCO_IOU_THRESHOLDS[9]).toBeCloseTo(0.95, 12);
  });
});

describe('meanAveragePrecision', () => {
  it('is 1 for perfect detections', () => {
    const r = meanAveragePrecision([
      {
        groundTruth: [gt(0, 0, 10, 10), gt(20, 20, 40, 40)],
        detections: [det(0, 0, 10, 10, 0.9), det(20, 20, 40, 40, 0.6)],
      },
      { groundTruth: [gt(5, 5, 50, 50)], detections: [det(5, 5, 50, 50, 0.3)] },
    ]);
    expect(r.map50).toBe(1);
    expect(r.map50_95).toBe(1);
    expect(r.apPerClass.get(0)).toEqual({ ap50: 1, ap50_95: 1, gt: 3 });
  });

  it('halves AP when a false positive outranks the only true positive', () => {
    // Ranked: FP (P 0, R 0), TP (P 0.5, R 1); the envelope is 0.5 at every recall point.
    const r = meanAveragePrecision([
      { groundTruth: [gt(0, 0, 10, 10)], detections: [det(50, 50, 60, 60, 0.9), det(0, 0, 10, 10, 0.8)] },
    ]);
    expect(r.map50).toBeCloseTo(0.5, 12);
    expect(r.map50_95).toBeCloseTo(0.5, 12);
  });

  it('ignores a false positive ranked below full recall', () => {
    const r = meanAveragePrecision([
      { groundTruth: [gt(0, 0, 10, 10)], detections: [det(0, 0, 10, 10, 0.9), det(50, 50, 60, 60, 0.8)] },
    ]);
    expect(r.map50).toBe(1);
  });

  it('counts false positives on background images', () => {
    const r = meanAveragePrecision([
      { groundTruth: [gt(0, 0, 10, 10)], detections: [det(0, 0, 10, 10, 0.5)] },
      { groundTruth: [], detections: [det(0, 0, 10, 10, 0.9)] },
    ]);
    expect(r.map50).toBeCloseTo(0.5, 12);
  });

  it('samples 101 recall points when recall stops at one half', () => {
    // Precision 1 at recall 0.00 … 0.50 (51 points), 0 beyond.
    const r = meanAveragePrecision([
      { groundTruth: [gt(0, 0, 10, 10), gt(20, 20, 30, 30)], detections: [det(0, 0, 10, 10, 0.9)] },
    ]);
    expect(r.map50).toBeCloseTo(51 / 101, 12);
  });

  it('matches a ground-truth box once: a duplicate is a false positive', () => {
    const r = meanAveragePrecision([
      {
        groundTruth: [gt(0, 0, 10, 10), gt(100, 100, 110, 110)],
        detections: [det(0, 0, 10, 10, 0.9), det(0, 0, 10, 10, 0.8), det(100, 100, 110, 110, 0.7)],
      },
    ]);
    // TP (P 1, R .5), dup FP (P .5), TP (P 2/3, R 1): 51 points at 1, 50 at 2/3.
    expect(r.map50).toBeCloseTo((51 + 50 * (2 / 3)) / 101, 12);
  });

  it('averages over IoU thresholds', () => {
    // IoU 100/120 = 0.833: a hit at 0.50 … 0.80 (7 thresholds), a miss at 0.85, 0.90, 0.95.
    const r = meanAveragePrecision([
      { groundTruth: [gt(0, 0, 10, 12)], detections: [det(0, 0, 10, 10, 0.9)] },
    ]);
    expect(r.map50).toBe(1);
    expect(r.map50_95).toBeCloseTo(0.7, 12);
  });

  it('needs the class to match', () => {
    const r = meanAveragePrecision([
      { groundTruth: [gt(0, 0, 10, 10, 3)], detections: [det(0, 0, 10, 10, 0.9, 4)] },
    ]);
    expect(r.map50).toBe(0);
    expect([...r.apPerClass.keys()]).toEqual([3]);
  });

  it('averages classes and leaves out classes without ground truth', () => {
    const r = meanAveragePrecision([
      {
        groundTruth: [gt(0, 0, 10, 10, 0), gt(20, 20, 30, 30, 1)],
        detections: [
          det(0, 0, 10, 10, 0.9, 0), // class 0: perfect, AP 1
          det(60, 60, 70, 70, 0.95, 1), // class 1: a FP ranked above both TPs
          det(20, 20, 30, 30, 0.5, 1),
          det(0, 0, 5, 5, 0.99, 7), // class 7 has no ground truth: not in the mean
        ],
      },
      { groundTruth: [gt(0, 0, 40, 40, 1)], detections: [det(0, 0, 40, 40, 0.4, 1)] },
    ]);
    // Class 1 over both images: FP .95, TP .5, TP .4 → P 0, 1/2, 2/3 at R 0, 1/2, 1;
    // envelope 2/3 everywhere → AP 2/3. mAP = (1 + 2/3) / 2.
    expect(r.apPerClass.get(0)?.ap50).toBe(1);
    expect(r.apPerClass.get(1)?.ap50).toBeCloseTo(2 / 3, 12);
    expect(r.apPerClass.get(1)?.gt).toBe(2);
    expect(r.apPerClass.has(7)).toBe(false);
    expect(r.map50).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it('is 0 with no ground truth at all', () => {
    const r = meanAveragePrecision([{ groundTruth: [], detections: [det(0, 0, 1, 1, 0.9)] }]);
    expect(r).toEqual({ map50: 0, map50_95: 0, apPerClass: new Map() });
  });
});
