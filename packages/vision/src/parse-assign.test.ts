import {
  boxDistance,
  connectedComponents,
  createPersonCanvas,
  pasteCropParse,
  removeSpecks,
  summarizePersons,
} from './parse-assign';

describe('boxDistance', () => {
  const box = { x1: 0, y1: 0, x2: 100, y2: 200 };
  it('is 0 at the centre, 1 at mid-edges and √2 at corners, in half box sizes', () => {
    expect(boxDistance(box, 50, 100)).toBe(0);
    expect(boxDistance(box, 100, 100)).toBeCloseTo(1, 9);
    expect(boxDistance(box, 50, 0)).toBeCloseTo(1, 9);
    expect(boxDistance(box, 0, 0)).toBeCloseTo(Math.SQRT2, 9);
  });
});

describe('pasteCropParse', () => {
  const W = 20;
  const H = 10;
  const full = (rect: { x1: number; y1: number; x2: number; y2: number }, label: number) =>
    new Uint8Array((rect.x2 - rect.x1) * (rect.y2 - rect.y1)).fill(label);

  it('claims only person pixels inside its rect', () => {
    const canvas = createPersonCanvas(W, H);
    const rect = { x1: 2, y1: 1, x2: 6, y2: 4 };
    const labels = full(rect, 5);
    labels[0] = 0; // not a person in this crop's own parse
    pasteCropParse(canvas, { personId: 1, box: { x1: 2, y1: 1, x2: 6, y2: 4 }, rect, labels });
    expect(canvas.owner[1 * W + 2]).toBe(0);
    expect(canvas.labels[1 * W + 3]).toBe(5);
    expect(canvas.owner[1 * W + 3]).toBe(1);
    expect(canvas.owner[0]).toBe(0);
    expect(canvas.owner[5 * W + 3]).toBe(0);
  });

  it('gives a pixel claimed by two people to the one whose box centre is nearer, never to both', () => {
    const canvas = createPersonCanvas(W, H);
    // Two overlapping boxes; each crop (wrongly, as crops do) calls the whole overlap "person".
    const a = { x1: 0, y1: 0, x2: 12, y2: 10 };
    const b = { x1: 8, y1: 0, x2: 20, y2: 10 };
    pasteCropParse(canvas, { personId: 1, box: a, rect: a, labels: full(a, 5) });
    pasteCropParse(canvas, { personId: 2, box: b, rect: b, labels: full(b, 13) });
    const at = (x: number) => ({ owner: canvas.owner[5 * W + x], label: canvas.labels[5 * W + x] });
    expect(at(8)).toEqual({ owner: 1, label: 5 }); // pixel centre 8.5: a's centre 6, b's 14
    expect(at(11)).toEqual({ owner: 2, label: 13 }); // 11.5: nearer b's centre
    expect(at(2)).toEqual({ owner: 1, label: 5 });
    expect(at(19)).toEqual({ owner: 2, label: 13 });
    // Every person pixel has exactly one owner and carries that owner's label.
    for (let i = 0; i < W * H; i++)
      expect(canvas.owner[i] === 1 ? canvas.labels[i] === 5 : canvas.labels[i] === 13).toBe(true);
  });

  it('keeps the first claim on an exact tie (paste in descending score)', () => {
    const canvas = createPersonCanvas(W, H);
    const box = { x1: 0, y1: 0, x2: 10, y2: 10 };
    pasteCropParse(canvas, { personId: 1, box, rect: box, labels: full(box, 5) });
    pasteCropParse(canvas, { personId: 2, box, rect: box, labels: full(box, 13) });
    expect(canvas.owner[5 * W + 5]).toBe(1);
  });

  it('rejects a rect outside the canvas', () => {
    const canvas = createPersonCanvas(W, H);
    const rect = { x1: 15, y1: 0, x2: 25, y2: 2 };
    expect(() => pasteCropParse(canvas, { personId: 1, box: rect, rect, labels: full(rect, 1) })).toThrow(
      RangeError,
    );
  });
});

describe('connectedComponents', () => {
  it('joins 8-neighbours and reports areas and bounds', () => {
    // 5×3:
    //   1 0 0 0 2
    //   0 1 0 0 2
    //   0 0 0 3 0
    const mask = Uint8Array.from([1, 0, 0, 0, 2, 0, 1, 0, 0, 2, 0, 0, 0, 3, 0]);
    const any = connectedComponents(mask, 5, 3);
    expect(any.count).toBe(2); // the diagonal pair, and 2-2-3 touching diagonally
    expect(any.areas).toEqual([2, 3]);
    expect(any.bounds[1]).toEqual({ x1: 3, y1: 0, x2: 5, y2: 3 });
    const byValue = connectedComponents(mask, 5, 3, true);
    expect(byValue.count).toBe(3);
    expect(byValue.values).toEqual([1, 2, 3]);
  });
});

describe('removeSpecks', () => {
  it("drops a person's small detached pieces and keeps large ones", () => {
    const W = 30;
    const canvas = createPersonCanvas(W, 10);
    const own = (x1: number, x2: number, y1: number, y2: number, id: number) => {
      for (let y = y1; y < y2; y++) {
        for (let x = x1; x < x2; x++) {
          canvas.owner[y * W + x] = id;
          canvas.labels[y * W + x] = 5;
        }
      }
    };
    own(0, 10, 0, 10, 1); // person 1: 100 px
    own(20, 21, 0, 1, 1); // person 1: 1-px speck
    own(12, 18, 0, 10, 1); // person 1: second large piece (60 px)
    own(25, 26, 5, 6, 2); // person 2: a single pixel, but it is all of person 2
    removeSpecks(canvas, 0.02);
    expect(canvas.owner[20]).toBe(0);
    expect(canvas.labels[20]).toBe(0);
    expect(canvas.owner[12]).toBe(1);
    expect(canvas.owner[5 * W + 25]).toBe(2);
  });
});

describe('summarizePersons', () => {
  it('counts each part per person with pixel-edge bounds', () => {
    const W = 4;
    const labels = Uint8Array.from([13, 13, 0, 0, 5, 5, 0, 14, 0, 0, 0, 14]);
    const owner = Uint16Array.from([1, 1, 0, 0, 1, 1, 0, 2, 0, 0, 0, 2]);
    const [p1, p2] = summarizePersons(labels, owner, W, 3, 2, 20);
    expect(p1.pixels).toBe(4);
    expect(p1.bounds).toEqual({ x1: 0, y1: 0, x2: 2, y2: 2 });
    expect(p1.partPixels[13]).toBe(2);
    expect(p1.partBounds[5]).toEqual({ x1: 0, y1: 1, x2: 2, y2: 2 });
    expect(p2.partPixels[14]).toBe(2);
    expect(p2.partBounds[14]).toEqual({ x1: 3, y1: 1, x2: 4, y2: 3 });
    expect(p2.partBounds[13]).toBeNull();
  });
});
