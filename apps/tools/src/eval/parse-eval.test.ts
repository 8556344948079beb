import { LIP20_LABELS } from '@argus/vision';
import {
  CIHP20_TO_COARSE,
  COARSE_CLASSES,
  LIP20_TO_COARSE,
  accumulateConfusion,
  createConfusion,
  scoreConfusion,
} from './parse-eval';

const coarse = (table: readonly number[], id: number) => COARSE_CLASSES[table[id]];

describe('coarse class tables', () => {
  it('cover all 20 ids of both label sets', () => {
    expect(CIHP20_TO_COARSE).toHaveLength(20);
    expect(LIP20_TO_COARSE).toHaveLength(20);
  });

  it('send the parts BodyPix produces (via LIP) to the body region they are', () => {
    const lip = (name: string) => coarse(LIP20_TO_COARSE, LIP20_LABELS.indexOf(name as never));
    expect(lip('Background')).toBe('background');
    expect(lip('Face')).toBe('head');
    expect(lip('UpperClothes')).toBe('torso');
    expect(lip('Left-arm')).toBe('arms');
    expect(lip('Right-leg')).toBe('legs');
    expect(lip('Left-shoe')).toBe('feet');
    expect(lip('Jumpsuits')).toBe('torso');
  });

  it('send CIHP clothing to the region it covers', () => {
    expect(coarse(CIHP20_TO_COARSE, 2)).toBe('head'); // Hair
    expect(coarse(CIHP20_TO_COARSE, 7)).toBe('torso'); // Coat
    expect(coarse(CIHP20_TO_COARSE, 9)).toBe('legs'); // Pants
    expect(coarse(CIHP20_TO_COARSE, 10)).toBe('torso'); // Torso-skin
    expect(coarse(CIHP20_TO_COARSE, 3)).toBe('arms'); // Glove
  });
});

describe('scoreConfusion', () => {
  it('is 1 everywhere for a perfect prediction', () => {
    const c = createConfusion();
    const gt = Uint8Array.from([0, 13, 5, 14, 16, 18]);
    accumulateConfusion(c, gt, gt, CIHP20_TO_COARSE, LIP20_TO_COARSE);
    const s = scoreConfusion(c);
    expect(s.miou).toBe(1);
    expect(s.personIou).toBe(1);
  });

  it('computes per-class IoU over the whole set and person IoU', () => {
    const c = createConfusion();
    // Image 1: gt head, head, bg, bg; pred head, bg, head, bg.
    accumulateConfusion(c, [13, 13, 0, 0], [13, 0, 13, 0], CIHP20_TO_COARSE, LIP20_TO_COARSE);
    // Image 2: gt torso (coat), pred torso (UpperClothes).
    accumulateConfusion(c, [7], [5], CIHP20_TO_COARSE, LIP20_TO_COARSE);
    const s = scoreConfusion(c);
    expect(s.perClass.head).toBeCloseTo(1 / 3, 9); // tp 1, gt 2, pred 2
    expect(s.perClass.background).toBeCloseTo(1 / 3, 9);
    expect(s.perClass.torso).toBe(1);
    expect(s.perClass.arms).toBe(0); // absent on both sides
    expect(s.miou).toBeCloseTo((1 / 3 + 1 / 3 + 1) / 6, 9);
    expect(s.personIou).toBeCloseTo(2 / 4, 9); // person: gt {0,1,4}, pred {0,2,4}
  });

  it('refuses maps of different sizes', () => {
    expect(() =>
      accumulateConfusion(createConfusion(), [0], [0, 0], CIHP20_TO_COARSE, LIP20_TO_COARSE),
    ).toThrow(RangeError);
  });
});
