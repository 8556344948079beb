import { BODYPIX24_PARTS, LIP } from './parse-labels';
import { DEFAULT_FUSION_RULES, SCH, decideFusion, fuseLabels } from './parse-fusion';
import { HAIR_GROWTH, HEAD_HAIR_GROWTH, SHOE_GROWTH, growByColour } from './colour-grow';
import { decodeThreshold, extendPersonMask } from './mask-extend';

/** BodyPix part id + 1, as the fused decoder writes it. */
const P = Object.fromEntries(BODYPIX24_PARTS.map((name, i) => [name, i + 1])) as Record<
  (typeof BODYPIX24_PARTS)[number],
  number
>;
const { none: N, skin: S, clothes: C, hair: H } = SCH;
const rgbOf = (colours: number[][]) => Uint8Array.from(colours.flat());
const BROWN = [90, 60, 30];
const WHITE = [230, 230, 230];
const BLUE = [20, 30, 160];
const BLACK = [15, 15, 15];

describe('growByColour', () => {
  it('long hair: head Hair grows down over torso clothes of the hair colour, not over the shirt', () => {
    // One column: 40 head-hair rows (enough pixels to trust their colour), then the torso.
    const head = Array.from({ length: 40 }, () => P.left_face);
    const parts = Uint8Array.from([...head, P.torso_front, P.torso_front, P.torso_front, P.torso_front]);
    const sch = Uint8Array.from([...head.map(() => H), C, C, C, C]);
    const labels = Uint8Array.from([...head.map(() => LIP.Hair), 5, 5, 5, 5]);
    const rgb = rgbOf([...head.map(() => BROWN), BROWN, BROWN, WHITE, BROWN]);
    growByColour(labels, parts, sch, rgb, 1, { ...HAIR_GROWTH, maxDistance: 25 });
    // The last brown pixel is cut off from the head by the white shirt: it stays clothes.
    expect(Array.from(labels.subarray(40))).toEqual([LIP.Hair, LIP.Hair, LIP.UpperClothes, LIP.UpperClothes]);
  });

  it('does nothing with too few seed pixels, and never takes over skin', () => {
    const parts = Uint8Array.from([P.left_face, P.torso_front]);
    const labels = Uint8Array.from([LIP.Hair, LIP.UpperClothes]);
    growByColour(labels, parts, Uint8Array.from([H, C]), rgbOf([BROWN, BROWN]), 1, {
      ...HAIR_GROWTH,
      maxDistance: 25,
    });
    expect(Array.from(labels)).toEqual([LIP.Hair, LIP.UpperClothes]);
    const head = Array.from({ length: 40 }, () => P.left_face);
    const many = Uint8Array.from([...head.map(() => LIP.Hair), LIP.UpperClothes, LIP.UpperClothes]);
    growByColour(
      many,
      Uint8Array.from([...head, P.torso_front, P.torso_front]),
      Uint8Array.from([...head.map(() => H), S, C]),
      rgbOf([...head.map(() => BROWN), BROWN, WHITE]),
      1,
      { ...HAIR_GROWTH, maxDistance: 25 },
    );
    expect(Array.from(many.subarray(40))).toEqual([LIP.UpperClothes, LIP.UpperClothes]);
  });

  it('shoes grow up over lower-leg pixels of their colour with their own side', () => {
    const foot = Array.from({ length: 30 }, () => P.right_foot);
    const parts = Uint8Array.from([P.right_lower_leg_front, P.right_lower_leg_front, ...foot]);
    const sch = Uint8Array.from([C, C, ...foot.map(() => C)]);
    const labels = Uint8Array.from([LIP.Pants, LIP.Pants, ...foot.map(() => LIP['Right-shoe'])]);
    const rgb = rgbOf([BLUE, BLACK, ...foot.map(() => BLACK)]);
    growByColour(labels, parts, sch, rgb, 1, { ...SHOE_GROWTH, maxDistance: 40 });
    expect(Array.from(labels.subarray(0, 3))).toEqual([LIP.Pants, LIP['Right-shoe'], LIP['Right-shoe']]);
  });

  it('fair hair the segmenter calls skin: head Face of the hair colour becomes Hair, the face stays', () => {
    const BLOND = [200, 170, 90];
    const SKIN = [225, 180, 150];
    const head = Array.from({ length: 40 }, () => P.left_face);
    const parts = Uint8Array.from([...head, P.left_face, P.left_face, P.left_face]);
    const sch = Uint8Array.from([...head.map(() => H), S, S, S]);
    const labels = Uint8Array.from([...head.map(() => LIP.Hair), LIP.Face, LIP.Face, LIP.Face]);
    const rgb = rgbOf([...head.map(() => BLOND), BLOND, SKIN, BLOND]);
    const without = labels.slice();
    growByColour(without, parts, sch, rgb, 1, { ...HEAD_HAIR_GROWTH, overSkin: false, maxDistance: 40 });
    expect(Array.from(without.subarray(40))).toEqual([LIP.Face, LIP.Face, LIP.Face]);
    growByColour(labels, parts, sch, rgb, 1, { ...HEAD_HAIR_GROWTH, maxDistance: 40 });
    // The last blond pixel is cut off from the hair by the face's skin.
    expect(Array.from(labels.subarray(40))).toEqual([LIP.Hair, LIP.Face, LIP.Face]);
  });
});

describe('extendPersonMask', () => {
  it('keeps pixels below the threshold only where the segmenter sees the person, or on the feet', () => {
    const rules = { ...DEFAULT_FUSION_RULES, extendThreshold: 0.3, extendFeet: 0.2 };
    expect(decodeThreshold(0.5, rules)).toBe(0.2);
    expect(decodeThreshold(0.5)).toBe(0.5);
    const parts = Uint8Array.from([P.left_face, P.left_face, P.left_face, P.left_foot, P.torso_front]);
    const prob = Float32Array.of(0.9, 0.4, 0.4, 0.25, 0.25);
    const sch = Uint8Array.from([N, H, N, N, C]);
    extendPersonMask(parts, prob, sch, 0.5, rules);
    expect(Array.from(parts)).toEqual([P.left_face, P.left_face, 0, P.left_foot, 0]);
  });
});

describe('fuseLabels: the none gate', () => {
  const parts = Uint8Array.from([P.left_face, P.torso_front, P.torso_front, P.left_foot]);
  const prob = Float32Array.of(0.6, 0.6, 0.95, 0.6);
  const fuse = (sch: Uint8Array) =>
    Array.from(fuseLabels(parts, sch, 1, decideFusion(parts, sch, 1), DEFAULT_FUSION_RULES, prob));

  it('drops unsure torso pixels the segmenter sees as nothing, never the head or the feet', () => {
    expect(DEFAULT_FUSION_RULES.noneGate).toBeGreaterThan(0.6);
    expect(fuse(Uint8Array.from([N, N, C, N]))).toEqual([LIP.Hair, 0, LIP.UpperClothes, LIP['Left-shoe']]);
  });

  it('gates the head and the feet at their own, lower levels', () => {
    const rules = { ...DEFAULT_FUSION_RULES, headGate: 0.7, feetGate: 0.5 };
    const sch = Uint8Array.from([N, N, C, N]);
    const out = Array.from(fuseLabels(parts, sch, 1, decideFusion(parts, sch, 1), rules, prob));
    expect(out).toEqual([0, 0, LIP.UpperClothes, LIP['Left-shoe']]);
  });

  it('keeps BodyPix geometry for a person the segmenter sees as all background', () => {
    expect(fuse(Uint8Array.from([N, N, N, N]))).toEqual([
      LIP.Hair,
      LIP.UpperClothes,
      LIP.UpperClothes,
      LIP['Left-shoe'],
    ]);
  });
});
