import { iou, nms, type ScoredBox } from './nms';

const box = (x1: number, y1: number, x2: number, y2: number, score = 1, classId = 0): ScoredBox => ({
  x1,
  y1,
  x2,
  y2,
  score,
  classId,
});

describe('iou', () => {
  it('is 1/3 for two 10x10 boxes overlapping by half', () => {
    // intersection 5x10 = 50; union 100 + 100 - 50 = 150.
    expect(iou(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
  });

  it('is 0.25 for a box inside one four times its area', () => {
    expect(iou(box(0, 0, 10, 10), box(0, 0, 5, 5))).toBe(0.25);
  });

  it('is 1 for identical boxes and symmetric', () => {
    const a = box(3, 4, 20, 30);
    const b = box(10, 0, 25, 12);
    expect(iou(a, a)).toBe(1);
    expect(iou(a, b)).toBe(iou(b, a));
  });

  it('is 0 for disjoint or edge-touching boxes', () => {
    expect(iou(box(0, 0, 10, 10), box(20, 20, 30, 30))).toBe(0);
    expect(iou(box(0, 0, 10, 10), box(10, 0, 20, 10))).toBe(0);
  });

  it('is 0 for degenerate boxes', () => {
    expect(iou(box(5, 5, 5, 5), box(5, 5, 5, 5))).toBe(0);
  });
});

describe('nms', () => {
  it('drops a lower-scored box of the same class above the threshold', () => {
    const a = box(0, 0, 10, 10, 0.9);
    const b = box(5, 0, 15, 10, 0.8); // IoU 1/3 with a
    expect(nms([b, a], 0.3)).toEqual([a]);
  });

  it('keeps both when the overlap is at or below the threshold', () => {
    const a = box(0, 0, 10, 10, 0.9);
    const b = box(5, 0, 15, 10, 0.8);
    expect(nms([a, b], 0.5)).toEqual([a, b]);
    // Suppression needs IoU strictly above the threshold.
    expect(nms([a, b], iou(a, b))).toEqual([a, b]);
  });

  it('never suppresses across classes', () => {
    const a = box(0, 0, 10, 10, 0.9, 0);
    const b = box(0, 0, 10, 10, 0.8, 1);
    expect(nms([a, b], 0.5)).toEqual([a, b]);
  });

  it('only lets kept boxes suppress others', () => {
    // a overlaps b (1/3), b overlaps c (1/3), a and c are disjoint: b goes, c stays.
    const a = box(0, 0, 10, 10, 0.9);
    const b = box(5, 0, 15, 10, 0.8);
    const c = box(10, 0, 20, 10, 0.7);
    expect(nms([c, b, a], 0.3)).toEqual([a, c]);
  });

  it('returns highest score first and caps the count', () => {
    const boxes = [0.2, 0.9, 0.5, 0.7].map((s, i) => box(i * 20, 0, i * 20 + 10, 10, s));
    expect(nms(boxes, 0.5).map((b) => b.score)).toEqual([0.9, 0.7, 0.5, 0.2]);
    expect(nms(boxes, 0.5, 2).map((b) => b.score)).toEqual([0.9, 0.7]);
  });

  it('does not reorder its input', () => {
    const boxes = [box(0, 0, 1, 1, 0.1), box(5, 5, 6, 6, 0.9)];
    nms(boxes, 0.5);
    expect(boxes.map((b) => b.score)).toEqual([0.1, 0.9]);
  });

  it('handles an empty list', () => {
    expect(nms([], 0.5)).toEqual([]);
  });
});
