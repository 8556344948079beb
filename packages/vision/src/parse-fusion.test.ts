import { BODYPIX24_PARTS, LIP } from './parse-labels';
import { DEFAULT_FUSION_RULES, SCH, decideFusion, fuseLabels, growHair, schClasses } from './parse-fusion';
import { splitGarments } from './garment-split';

/** BodyPix part id + 1, as the fused decoder writes it. */
const P = Object.fromEntries(BODYPIX24_PARTS.map((name, i) => [name, i + 1])) as Record<
  (typeof BODYPIX24_PARTS)[number],
  number
>;
const { none: N, skin: S, clothes: C, hair: H } = SCH;

/** Runs decisions + fusion on a grid given row by row. */
function fuse(parts: number[][], sch: number[][], rules = DEFAULT_FUSION_RULES): number[][] {
  const width = parts[0].length;
  const p = Uint8Array.from(parts.flat());
  const s = Uint8Array.from(sch.flat());
  const out = fuseLabels(p, s, width, decideFusion(p, s, width, rules), rules);
  return parts.map((_, y) => Array.from(out.subarray(y * width, (y + 1) * width)));
}

describe('schClasses', () => {
  it('takes the most probable class above the threshold, else none', () => {
    const skin = Float32Array.of(0.9, 0.2, 0.3, 0.4);
    const clothes = Float32Array.of(0.1, 0.8, 0.3, 0.45);
    const hair = Float32Array.of(0.0, 0.1, 0.7, 0.3);
    expect(Array.from(schClasses(skin, clothes, hair, 0.5))).toEqual([S, C, H, N]);
  });
});

describe('fuseLabels', () => {
  it('keeps BodyPix geometry outside its person mask: the segmenter alone never makes a person', () => {
    expect(fuse([[0, 0, P.torso_front]], [[C, S, C]])).toEqual([[0, 0, LIP.UpperClothes]]);
  });

  it('a person the segmenter sees as all background still gets every body part', () => {
    const parts = [
      [P.left_face, P.right_face],
      [P.torso_front, P.torso_back],
      [P.left_upper_leg_front, P.right_upper_leg_front],
      [P.left_foot, P.right_foot],
    ];
    const out = fuse(
      parts,
      parts.map((row) => row.map(() => N)),
    );
    expect(out.flat().every((l) => l !== 0)).toBe(true);
    expect(out[3]).toEqual([LIP['Left-shoe'], LIP['Right-shoe']]);
    expect(out[2]).toEqual([LIP.Pants, LIP.Pants]);
  });

  it('head: skin is Face, hair and other non-skin is Hair', () => {
    expect(fuse([[P.left_face, P.left_face, P.right_face, P.right_face]], [[S, H, C, N]])).toEqual([
      [LIP.Face, LIP.Hair, LIP.Hair, LIP.Hair],
    ]);
  });

  it('arms: skin is the arm of its side, clothes a sleeve (UpperClothes); legs: skin is the leg, clothes Pants', () => {
    const out = fuse(
      [[P.left_lower_arm_front, P.right_upper_arm_back, P.left_lower_leg_front, P.right_upper_leg_back]],
      [[S, C, S, C]],
    );
    expect(out).toEqual([[LIP['Left-arm'], LIP.UpperClothes, LIP['Left-leg'], LIP.Pants]]);
  });

  it('feet: clothes or nothing are shoes sided by BodyPix, bare skin is the leg', () => {
    expect(fuse([[P.left_foot, P.right_foot, P.right_foot]], [[C, N, S]])).toEqual([
      [LIP['Left-shoe'], LIP['Right-shoe'], LIP['Right-leg']],
    ]);
  });

  it('hands: a hand that is mostly clothes wears a Glove, a few clothes pixels are a cuff', () => {
    const gloved = fuse(
      [[P.left_hand, P.left_hand, P.left_hand, P.left_hand, P.left_hand]],
      [[C, C, C, C, C]],
    );
    expect(gloved[0]).toEqual(Array(5).fill(LIP.Glove));
    const cuff = fuse([[P.right_hand, P.right_hand, P.right_hand, P.right_hand]], [[C, S, S, S]]);
    expect(cuff[0]).toEqual([LIP.UpperClothes, LIP['Right-arm'], LIP['Right-arm'], LIP['Right-arm']]);
  });

  it('torso: clothes and nothing are UpperClothes, hair over the shoulders is Hair', () => {
    expect(fuse([[P.torso_front, P.torso_front, P.torso_back]], [[C, N, H]])).toEqual([
      [LIP.UpperClothes, LIP.UpperClothes, LIP.Hair],
    ]);
  });
});

describe('decideFusion: skirt against trousers', () => {
  const L = P.left_upper_leg_front;
  const R = P.right_upper_leg_front;
  it('trouser legs leave the gap between them open: Pants', () => {
    const parts = Array.from({ length: 6 }, () => [L, L, 0, 0, 0, 0, R, R]);
    const sch = parts.map((row) => row.map((p) => (p ? C : N)));
    const d = decideFusion(Uint8Array.from(parts.flat()), Uint8Array.from(sch.flat()), 8);
    expect(d.closed).toBe(false);
    expect(d.lower).toBe(LIP.Pants);
  });

  it('one leg in view (cut by the edge) has no gap to judge: Pants', () => {
    const parts = Array.from({ length: 6 }, () => [L, L, L, L]);
    const sch = parts.map((row) => row.map(() => C));
    const d = decideFusion(Uint8Array.from(parts.flat()), Uint8Array.from(sch.flat()), 4);
    expect(d.closed).toBe(false);
    expect(d.lower).toBe(LIP.Pants);
  });

  it('legs cut off above the knees leave nothing to judge: Pants', () => {
    const parts = Array.from({ length: 6 }, () => [L, L, L, R, R, R]);
    const sch = parts.map((row) => row.map(() => C));
    expect(decideFusion(Uint8Array.from(parts.flat()), Uint8Array.from(sch.flat()), 6).closed).toBe(false);
  });

  it('a skirt fills the gap: Skirt', () => {
    const LL = P.left_lower_leg_front;
    const RL = P.right_lower_leg_front;
    const parts = [
      ...Array.from({ length: 4 }, () => [L, L, L, R, R, R]),
      [LL, LL, 0, 0, RL, RL],
      [LL, LL, 0, 0, RL, RL],
    ];
    const sch = parts.map((row) => row.map(() => C));
    const d = decideFusion(Uint8Array.from(parts.flat()), Uint8Array.from(sch.flat()), 6);
    expect(d.closed).toBe(true);
    expect(d.lower).toBe(LIP.Skirt);
  });
});

describe('splitGarments', () => {
  const T = P.torso_front;
  const U = P.left_upper_leg_front;
  const D = P.left_lower_leg_front;
  /** 8 rows: 4 torso, 2 upper leg, 2 lower leg; one column. */
  const parts = [T, T, T, T, U, U, D, D];
  const sch = parts.map(() => C);
  const rgbOf = (colours: number[][]) => Uint8Array.from(colours.flat());

  it('a jacket over trousers of another colour: the lower torso pixels of the trouser colour become Pants', () => {
    const red = [200, 20, 20];
    const blue = [20, 20, 200];
    const rgb = rgbOf([red, red, red, blue, blue, blue, blue, blue]);
    const labels = Uint8Array.from([5, 5, 5, 5, 9, 9, 9, 9]);
    splitGarments(labels, Uint8Array.from(parts), Uint8Array.from(sch), rgb, 1, false, {
      sameGarment: 40,
      minPixels: 1,
      dress: 'colour',
    });
    expect(Array.from(labels)).toEqual([5, 5, 5, LIP.Pants, 9, 9, 9, 9]);
  });

  it('one colour from the shoulders down that closes the gap between the legs is a Dress', () => {
    const green = [20, 160, 20];
    const labels = Uint8Array.from([5, 5, 5, 5, LIP.Skirt, LIP.Skirt, LIP.Skirt, LIP.Skirt]);
    splitGarments(
      labels,
      Uint8Array.from(parts),
      Uint8Array.from(sch),
      rgbOf(parts.map(() => green)),
      1,
      true,
      {
        sameGarment: 40,
        minPixels: 1,
        dress: 'colour',
      },
    );
    expect(Array.from(labels)).toEqual([5, 5, 5, 5, LIP.Dress, LIP.Dress, LIP.Dress, LIP.Dress]);
  });

  it('one colour whose legs part (a suit) keeps the body line', () => {
    const grey = [90, 90, 90];
    const labels = Uint8Array.from([5, 5, 5, 5, 9, 9, 9, 9]);
    splitGarments(
      labels,
      Uint8Array.from(parts),
      Uint8Array.from(sch),
      rgbOf(parts.map(() => grey)),
      1,
      false,
      {
        sameGarment: 40,
        minPixels: 1,
        dress: 'colour',
      },
    );
    expect(Array.from(labels)).toEqual([5, 5, 5, 5, 9, 9, 9, 9]);
  });

  it('`bare-legs`: one colour down to clothed lower legs is trousers even when the legs close; bare lower legs make a Dress', () => {
    const navy = [20, 20, 80];
    const rules = { sameGarment: 40, minPixels: 1, dress: 'bare-legs' as const };
    const rgb = rgbOf(parts.map(() => navy));
    const trousers = Uint8Array.from([5, 5, 5, 5, 9, 9, 9, 9]);
    splitGarments(trousers, Uint8Array.from(parts), Uint8Array.from(sch), rgb, 1, true, rules);
    expect(Array.from(trousers)).toEqual([5, 5, 5, 5, 9, 9, 9, 9]);
    const bareSch = Uint8Array.from([C, C, C, C, C, C, S, S]);
    const dress = Uint8Array.from([5, 5, 5, 5, LIP.Skirt, LIP.Skirt, LIP['Left-leg'], LIP['Left-leg']]);
    splitGarments(dress, Uint8Array.from(parts), bareSch, rgb, 1, true, rules);
    expect(Array.from(dress)).toEqual([5, 5, 5, 5, LIP.Dress, LIP.Dress, LIP['Left-leg'], LIP['Left-leg']]);
  });
});

describe('growHair', () => {
  it('grows the head hair down over unlabelled torso pixels it touches, never over clothes', () => {
    const parts = Uint8Array.from([P.left_face, P.torso_front, P.torso_front, P.torso_front]);
    const sch = Uint8Array.from([H, N, C, N]);
    const labels = Uint8Array.from([LIP.Hair, LIP.UpperClothes, LIP.UpperClothes, LIP.UpperClothes]);
    growHair(labels, parts, sch, 1);
    expect(Array.from(labels)).toEqual([LIP.Hair, LIP.Hair, LIP.UpperClothes, LIP.UpperClothes]);
  });
});
