import { decodeYoloOutput } from './yolo-decode';

/** Builds a [4 + classes, anchors] head output from per-anchor rows. */
function head(anchors: { cx: number; cy: number; w: number; h: number; scores: number[] }[]): Float32Array {
  const n = anchors.length;
  const classes = anchors[0].scores.length;
  const out = new Float32Array((4 + classes) * n);
  anchors.forEach((a, i) => {
    out[i] = a.cx;
    out[n + i] = a.cy;
    out[2 * n + i] = a.w;
    out[3 * n + i] = a.h;
    a.scores.forEach((s, c) => (out[(4 + c) * n + i] = s));
  });
  return out;
}

const anchors = [
  { cx: 100, cy: 50, w: 20, h: 10, scores: [0.875, 0.375] },
  { cx: 10, cy: 10, w: 4, h: 4, scores: [0.125, 0.0625] },
  { cx: 300, cy: 200, w: 100, h: 50, scores: [0.5, 0.625] },
];

describe('decodeYoloOutput', () => {
  it('keeps the best class per anchor and converts cx,cy,w,h to corners', () => {
    const boxes = decodeYoloOutput(head(anchors), 3, 2, { confidence: 0.25 });
    expect(boxes).toEqual([
      { x1: 90, y1: 45, x2: 110, y2: 55, score: 0.875, classId: 0 },
      { x1: 250, y1: 175, x2: 350, y2: 225, score: 0.625, classId: 1 },
    ]);
  });

  it('emits every class above the threshold with multiLabel', () => {
    const boxes = decodeYoloOutput(head(anchors), 3, 2, { confidence: 0.25, multiLabel: true });
    expect(boxes.map((b) => [b.classId, b.score, b.x1])).toEqual([
      [0, 0.875, 90],
      [1, 0.375, 90],
      [0, 0.5, 250],
      [1, 0.625, 250],
    ]);
  });

  it('keeps a score equal to the threshold', () => {
    expect(decodeYoloOutput(head(anchors), 3, 2, { confidence: 0.625 })).toHaveLength(2);
    expect(decodeYoloOutput(head(anchors), 3, 2, { confidence: 0.626 })).toHaveLength(1);
  });

  it('caps candidates to the highest scores', () => {
    const boxes = decodeYoloOutput(head(anchors), 3, 2, {
      confidence: 0.01,
      multiLabel: true,
      maxCandidates: 2,
    });
    expect(boxes.map((b) => b.score)).toEqual([0.875, 0.625]);
  });

  it('decodes one image out of a batch slice', () => {
    const one = head(anchors);
    const batch = new Float32Array(one.length * 2);
    batch.set(
      one.map(() => 0),
      0,
    );
    batch.set(one, one.length);
    const boxes = decodeYoloOutput(batch.subarray(one.length), 3, 2, { confidence: 0.25 });
    expect(boxes.map((b) => b.score)).toEqual([0.875, 0.625]);
    expect(decodeYoloOutput(batch.subarray(0, one.length), 3, 2, { confidence: 0.25 })).toEqual([]);
  });

  it('rejects an output shorter than the layout', () => {
    expect(() => decodeYoloOutput(new Float32Array(10), 3, 2, { confidence: 0.25 })).toThrow(RangeError);
  });
});
