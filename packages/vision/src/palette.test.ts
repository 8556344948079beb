import { LIP20_LABELS } from './parse-labels';
import { LIP20_PALETTE, hexColour, paletteBytes } from './palette';

describe('LIP20_PALETTE', () => {
  it('has one colour per label, black for Background', () => {
    expect(LIP20_PALETTE).toHaveLength(LIP20_LABELS.length);
    expect(LIP20_PALETTE[0]).toEqual([0, 0, 0]);
    for (const c of LIP20_PALETTE)
      for (const v of c) expect(Number.isInteger(v) && v >= 0 && v <= 255).toBe(true);
  });

  it('gives clearly different colours to different labels', () => {
    for (let a = 0; a < LIP20_PALETTE.length; a++) {
      for (let b = a + 1; b < LIP20_PALETTE.length; b++) {
        const d = Math.max(...LIP20_PALETTE[a].map((v, c) => Math.abs(v - LIP20_PALETTE[b][c])));
        expect(d).toBeGreaterThanOrEqual(34);
      }
    }
  });
});

describe('hexColour and paletteBytes', () => {
  it('formats #rrggbb in lower case', () => {
    expect(hexColour([255, 85, 0])).toBe('#ff5500');
    expect(hexColour([0, 0, 0])).toBe('#000000');
  });

  it('flattens to r,g,b triples', () => {
    expect(
      Array.from(
        paletteBytes([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
