import { SCH, schClasses } from './parse-fusion';
import {
  decodeParseLogits,
  decodeSchClasses,
  logit,
  regionAxisMap,
  sigmoid,
  upsampleBilinear,
  type ParseLogits,
} from './parse-decode';

describe('regionAxisMap', () => {
  it('puts the first and last input pixels on the first and last grid cells', () => {
    // A 33-pixel image resampled 1:1 to a 33-pixel input with stride 16 → 3 grid cells.
    const m = regionAxisMap(0, 33, 33, 3);
    expect(m.scale * 0 + m.offset).toBeCloseTo(0, 9);
    expect(m.scale * 16 + m.offset).toBeCloseTo(1, 9);
    expect(m.scale * 32 + m.offset).toBeCloseTo(2, 9);
  });

  it('follows the region offset and scale (SCHP: 473 → 119, stride 4)', () => {
    // Region starts at x = −100 and is 946 px wide, resampled to 473: input u = (p + 0.5 + 100)/2 − 0.5.
    const m = regionAxisMap(-100, 946, 473, 119);
    const p = 300;
    const u = (p + 0.5 + 100) / 2 - 0.5;
    expect(m.scale * p + m.offset).toBeCloseTo(u / 4, 9);
  });
});

describe('upsampleBilinear', () => {
  it('reproduces a linear ramp exactly and clamps outside the grid', () => {
    // 3×2 grid holding f(gx, gy) = gx + 10·gy.
    const plane = Float32Array.from([0, 1, 2, 10, 11, 12]);
    const mapX = { scale: 0.5, offset: 0 }; // pixel x → gx = x/2
    const mapY = { scale: 1, offset: -1 }; // pixel y → gy = y − 1
    const out = upsampleBilinear(plane, 3, 2, { x1: 0, y1: 0, x2: 6, y2: 3 }, mapX, mapY);
    const at = (x: number, y: number) => out[y * 6 + x];
    expect(at(1, 1)).toBeCloseTo(0.5, 6); // gy = 0
    expect(at(3, 2)).toBeCloseTo(1.5 + 10, 6); // gx = 1.5, gy = 1
    expect(at(5, 2)).toBeCloseTo(2 + 10, 6); // gx = 2.5 clamps to 2
    expect(at(0, 0)).toBeCloseTo(0, 6); // gy = −1 clamps to 0
  });
});

describe('sigmoid / logit', () => {
  it('are inverses', () => {
    for (const p of [0.1, 0.5, 0.7, 0.99]) expect(sigmoid(logit(p))).toBeCloseTo(p, 9);
    expect(logit(0)).toBe(-Infinity);
    expect(logit(1)).toBe(Infinity);
  });
});

describe('decodeParseLogits', () => {
  const rect = { x1: 0, y1: 0, x2: 2, y2: 1 };
  const identity = { scale: 1, offset: 0 }; // pixel i sits on grid cell i

  it('sigmoid-person: thresholds the person logit, arg-maxes the parts and maps them to labels', () => {
    // Grid 2×1. Pixel 0: person logit 2 (p 0.88), part 1 wins. Pixel 1: logit −1 (p 0.27).
    const logits: ParseLogits = {
      kind: 'sigmoid-person',
      person: Float32Array.from([2, -1]),
      parts: Float32Array.from([0.1, 5, 0.9, 0, 0.2, 0]), // 3 parts × 2 cells
      numParts: 3,
    };
    const prob = new Float32Array(2);
    const out = decodeParseLogits(logits, 2, 1, rect, identity, identity, {
      threshold: 0.5,
      classToLabel: [13, 5, 14],
      personProb: prob,
    });
    expect(Array.from(out)).toEqual([5, 0]);
    expect(prob[0]).toBeCloseTo(sigmoid(2), 6);
    expect(prob[1]).toBe(0); // not a person: left alone
    // A lower threshold makes pixel 1 a person (part 0 wins there: 5 > 0 > 0).
    const low = decodeParseLogits(logits, 2, 1, rect, identity, identity, {
      threshold: 0.2,
      classToLabel: [13, 5, 14],
    });
    expect(Array.from(low)).toEqual([5, 13]);
  });

  it('softmax-background: person where 1 − softmax(background) > threshold, part = best non-background class', () => {
    // Three classes; background is class 0. Pixel 0 is clearly class 2, pixel 1 clearly background.
    const logits: ParseLogits = {
      kind: 'softmax-background',
      logits: Float32Array.from([0, 9, 1, 0, 4, 0]),
      numClasses: 3,
    };
    const out = decodeParseLogits(logits, 2, 1, rect, identity, identity, {
      threshold: 0.5,
      classToLabel: [0, 7, 9],
    });
    expect(Array.from(out)).toEqual([9, 0]);
  });

  it('softmax-background: the fast paths agree with the exact probability', () => {
    // Random logits for 5 classes on a 40×1 grid; compare against a direct softmax.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 8 - 4;
    const n = 40;
    const classes = 5;
    const data = Float32Array.from({ length: classes * n }, rnd);
    const all = { x1: 0, y1: 0, x2: n, y2: 1 };
    for (const threshold of [0.2, 0.5, 0.8]) {
      const prob = new Float32Array(n);
      const out = decodeParseLogits(
        { kind: 'softmax-background', logits: data, numClasses: classes },
        n,
        1,
        all,
        identity,
        identity,
        {
          threshold,
          classToLabel: [0, 1, 2, 3, 4],
          personProb: prob,
        },
      );
      for (let i = 0; i < n; i++) {
        const v = Array.from({ length: classes }, (_, c) => data[c * n + i]);
        const z = v.reduce((a, b) => a + Math.exp(b), 0);
        const pPerson = 1 - Math.exp(v[0]) / z;
        const best = 1 + v.slice(1).indexOf(Math.max(...v.slice(1)));
        expect(out[i]).toBe(pPerson > threshold ? best : 0);
        if (out[i]) expect(prob[i]).toBeCloseTo(pPerson, 5);
      }
    }
  });

  it('upsamples before deciding, so label edges fall between grid cells', () => {
    // Person logit ramps from −4 to 4 across two cells; 8 pixels span them.
    const logits: ParseLogits = {
      kind: 'sigmoid-person',
      person: Float32Array.from([-4, 4]),
      parts: Float32Array.from([1, 1]),
      numParts: 1,
    };
    const map = regionAxisMap(0, 8, 8, 2); // 8-pixel input, 2 grid cells at its ends
    const out = decodeParseLogits(
      logits,
      2,
      1,
      { x1: 0, y1: 0, x2: 8, y2: 1 },
      map,
      { scale: 0, offset: 0 },
      {
        threshold: 0.5,
        classToLabel: [3],
      },
    );
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 3, 3, 3, 3]);
  });

  it('returns an empty map for an empty rect and checks classToLabel', () => {
    const logits: ParseLogits = { kind: 'softmax-background', logits: new Float32Array(6), numClasses: 3 };
    expect(
      decodeParseLogits(logits, 2, 1, { x1: 0, y1: 0, x2: 0, y2: 1 }, identity, identity, {
        threshold: 0.5,
        classToLabel: [0, 1, 2],
      }),
    ).toHaveLength(0);
    expect(() =>
      decodeParseLogits(logits, 2, 1, rect, identity, identity, { threshold: 0.5, classToLabel: [0] }),
    ).toThrow(RangeError);
  });
});

describe('decodeSchClasses', () => {
  // A 3×3 grid per channel, upsampled onto a 7×5 rect; every value differs from its neighbours.
  const grid = (seed: number) => Float32Array.from({ length: 9 }, (_, i) => ((i * 7 + seed * 5) % 11) / 10);
  const [skin, clothes, hair] = [grid(1), grid(2), grid(3)];
  const probs = Float32Array.from([...skin, ...clothes, ...hair]);
  const rect = { x1: 2, y1: 1, x2: 9, y2: 6 };
  const mapX = regionAxisMap(0, 10, 10, 3);
  const mapY = regionAxisMap(0, 8, 8, 3);
  const planes = [skin, clothes, hair].map((p) => upsampleBilinear(p, 3, 3, rect, mapX, mapY));
  const full = schClasses(planes[0], planes[1], planes[2], 0.5);

  it('equals upsampling the three planes and taking schClasses', () => {
    const out = decodeSchClasses(probs, 3, 3, rect, mapX, mapY, 0.5);
    expect(Array.from(out)).toEqual(Array.from(full));
    expect(new Set(out).size).toBeGreaterThan(2);
  });

  it('decodes only the masked pixels, the rest stay none', () => {
    const mask = Uint8Array.from(full, (_, i) => i % 3);
    const out = decodeSchClasses(probs, 3, 3, rect, mapX, mapY, 0.5, mask);
    expect(Array.from(out)).toEqual(Array.from(full, (v, i) => (mask[i] ? v : SCH.none)));
  });
});
