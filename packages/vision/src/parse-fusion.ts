import { BODYPIX24_PARTS, LIP } from './parse-labels';

/**
 * Fusion of BodyPix's body-part map with the skin / clothes / hair segmenter into LIP labels.
 *
 * BodyPix knows where the face, arms, torso, legs and feet are but nothing of clothing; the
 * segmenter knows skin, clothes and hair but nothing of body parts. Together: clothes over the
 * legs are Pants (or a Skirt), clothes over the feet are shoes, skin over the face is Face,
 * skin over an arm is that arm, hair is Hair. BodyPix's person mask gates everything, because
 * the segmenter alone calls blurred crowds "skin" and a bus "clothes".
 */

/** Segmenter classes per pixel (arg-max of the three probabilities above the threshold). */
export const SCH = { none: 0, skin: 1, clothes: 2, hair: 3 } as const;

// Hot loops use module-level aliases (see parse-decode.ts on jest's vm context).
const { max: mathMax } = Math;

/**
 * The segmenter's class for each pixel of a rect from its three probability planes (each
 * rect-sized, row-major): the channel with the highest probability when it is above
 * `threshold`, else `SCH.none`.
 */
export function schClasses(
  skin: Float32Array,
  clothes: Float32Array,
  hair: Float32Array,
  threshold: number,
): Uint8Array {
  const out = new Uint8Array(skin.length);
  for (let i = 0; i < out.length; i++) {
    const s = skin[i];
    const c = clothes[i];
    const h = hair[i];
    const best = mathMax(s, c, h);
    if (!(best > threshold)) continue;
    out[i] = best === s ? SCH.skin : best === c ? SCH.clothes : SCH.hair;
  }
  return out;
}

/** Body regions of BodyPix's 24 parts that the rules tell apart. */
export const REGION = {
  none: 0,
  face: 1,
  upperArm: 2,
  lowerArm: 3,
  hand: 4,
  torso: 5,
  upperLeg: 6,
  lowerLeg: 7,
  foot: 8,
} as const;

/** BodyPix part id → body region. */
export const BODYPIX_REGION: readonly number[] = BODYPIX24_PARTS.map((part) => {
  if (part.endsWith('_face')) return REGION.face;
  if (part.includes('upper_arm')) return REGION.upperArm;
  if (part.includes('lower_arm')) return REGION.lowerArm;
  if (part.endsWith('_hand')) return REGION.hand;
  if (part.startsWith('torso')) return REGION.torso;
  if (part.includes('upper_leg')) return REGION.upperLeg;
  if (part.includes('lower_leg')) return REGION.lowerLeg;
  return REGION.foot;
});

/** BodyPix part id → 1 for the person's left side, 0 otherwise. */
const IS_LEFT: readonly number[] = BODYPIX24_PARTS.map((part) => (part.startsWith('left_') ? 1 : 0));

/** Parts whose unlabelled pixels `noneGate` may drop: all but the face and the feet. */
const GATED: readonly boolean[] = BODYPIX_REGION.map((r) => r !== REGION.face && r !== REGION.foot);

/** The knobs of the rules whose best value was measured on ccp_dev (docs/parse.md). */
export interface FusionRules {
  /** Leg pixels the segmenter leaves unlabelled: `pants` (dark trousers are often missed) or `leg`. */
  legNone: 'pants' | 'leg';
  /** Arm pixels the segmenter leaves unlabelled: `clothes` (a sleeve) or `arm`. */
  armNone: 'clothes' | 'arm';
  /** Bare torso skin: `clothes` (LIP has no torso-skin label) or `face` (neck and neckline). */
  torsoSkin: 'clothes' | 'face';
  /** A hand whose pixels are at least this fraction clothes wears a Glove; below, clothes there are a sleeve. */
  gloveFraction: number;
  /** Leg clothes become a Skirt when the clothes between the legs fill at least this fraction of the gap. */
  skirtFill: number;
  /**
   * A pixel the segmenter sees as nothing and BodyPix calls a person with less than this
   * probability is background: BodyPix's mask spills a little around people. Never on the
   * face or the feet (dark hair and dark shoes are often "nothing"), nor on a person the
   * segmenter sees as all background. 0 = off.
   */
  noneGate: number;
  /** Keep non-skin below the face's centre Face (beard, shadow); off: all non-skin on the head is Hair. */
  faceSplit: boolean;
  /** Grow the head's Hair down over unlabelled torso and arm pixels (`growHair`). */
  growHair: boolean;
  /** Split top from bottom garment by colour (`garment-split.ts`); the value is the same-garment RGB distance, 0 = off. */
  sameGarment: number;
  /**
   * BodyPix's person mask is stride-16 coarse and cuts long hair, shoes and garment edges: a
   * pixel BodyPix calls a person with at least this probability (below the threshold) joins the
   * person when the segmenter sees skin, clothes or hair there (`extendPersonMask`). 0 = off.
   */
  extendThreshold: number;
  /** The same for BodyPix's feet whatever the segmenter says (dark shoes are often "nothing"). 0 = off. */
  extendFeet: number;
  /** Grow the head's Hair over torso and arm clothes of the hair's colour (`growByColour`): the RGB distance, 0 = off. */
  hairColour: number;
  /** `noneGate` applies to the feet too (off: dark shoes the segmenter misses stay). */
  gateFeet: boolean;
  /** Grow the feet's shoes up over lower-leg pixels of the shoes' colour (`growByColour`): the RGB distance, 0 = off. */
  shoeColour: number;
  /** Grow the head's Hair over head pixels the segmenter calls skin, of the hair's colour (`HEAD_HAIR_GROWTH`): the RGB distance, 0 = off. */
  headHairColour: number;
  /** `noneGate` for the head and (without `gateFeet`) the feet, each with its own, lower probability. 0 = off. */
  headGate: number;
  feetGate: number;
  /** When one colour runs from shoulders to legs: `colour` (Dress if the legs close or the lower legs are bare), `bare-legs` (only the latter), `off`. */
  dress: 'colour' | 'bare-legs' | 'off';
}

export const DEFAULT_FUSION_RULES: FusionRules = {
  legNone: 'pants',
  armNone: 'clothes',
  torsoSkin: 'clothes',
  gloveFraction: 0.8,
  skirtFill: 0.6,
  sameGarment: 40,
  noneGate: 0.9,
  growHair: false,
  faceSplit: false,
  extendThreshold: 0,
  extendFeet: 0,
  hairColour: 25,
  gateFeet: false,
  shoeColour: 0,
  headHairColour: 50,
  headGate: 0,
  feetGate: 0,
  dress: 'bare-legs',
};

/** Per-person decisions that look at a whole region, not one pixel. */
export interface FusionDecisions {
  /** Clothes over the legs: Pants or Skirt. */
  lower: number;
  /** Whether the leg clothes close the gap between the legs (a skirt or a dress, not trousers). */
  closed: boolean;
  /** Per hand (left, right): whether its clothes are a Glove. */
  glove: [boolean, boolean];
  /**
   * The face's skin: its centre row and its column span. Non-skin head pixels above the centre
   * or beside the span are Hair, the rest (beard, shadowed chin) Face. Null when the head shows
   * no skin (seen from behind): all of its non-skin is Hair.
   */
  face: { cy: number; x1: number; x2: number } | null;
}

/**
 * Region-level decisions for one person. `parts` holds BodyPix part id + 1 per pixel (0 = not
 * the person), `sch` the segmenter classes, both `width`-wide rows of the same rect.
 *
 * Skirt vs pants: a skirt covers the gap between the legs, trousers leave it open. For each
 * of the lower 60 % of the rows with leg clothes (thighs touch in trousers too), the span from
 * the leftmost to the rightmost leg-clothes pixel is taken; the fraction of those spans that
 * is the person's clothes says how much of the gap is covered. With one leg in view (a person
 * cut by the photo's edge) or no lower legs (cut above the knees) there is no gap to judge:
 * trousers.
 */
export function decideFusion(
  parts: Uint8Array,
  sch: Uint8Array,
  width: number,
  rules: FusionRules = DEFAULT_FUSION_RULES,
): FusionDecisions {
  const height = width > 0 ? Math.floor(parts.length / width) : 0;
  let faceSkin = 0;
  let faceY = 0;
  let faceX1 = width;
  let faceX2 = -1;
  const handPixels = [0, 0];
  const handClothes = [0, 0];
  // Per row: the leftmost and rightmost leg-clothes pixel and the clothes pixels between them.
  const rowLo = new Int32Array(height).fill(-1);
  const rowHi = new Int32Array(height).fill(-1);
  const legClothes = [0, 0];
  const legPixels = [0, 0]; // upper, lower
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const p = parts[row + x];
      if (p === 0) continue;
      const region = BODYPIX_REGION[p - 1];
      const s = sch[row + x];
      if (region === REGION.face && s === SCH.skin) {
        faceSkin++;
        faceY += y;
        if (x < faceX1) faceX1 = x;
        if (x > faceX2) faceX2 = x;
      } else if (region === REGION.hand) {
        const side = IS_LEFT[p - 1] ? 0 : 1;
        handPixels[side]++;
        if (s === SCH.clothes) handClothes[side]++;
      } else if ((region === REGION.upperLeg || region === REGION.lowerLeg) && s === SCH.clothes) {
        if (rowLo[y] < 0) rowLo[y] = x;
        rowHi[y] = x;
        legClothes[IS_LEFT[p - 1] ? 0 : 1]++;
      }
      if (region === REGION.upperLeg) legPixels[0]++;
      else if (region === REGION.lowerLeg) legPixels[1]++;
    }
  }
  // Only the lower rows of the leg clothes count: thighs touch in trousers too, knees and calves part.
  const rows: number[] = [];
  for (let y = 0; y < height; y++) if (rowHi[y] - rowLo[y] >= 2) rows.push(y);
  let span = 0;
  let filled = 0;
  for (const y of rows.slice(Math.floor(rows.length * 0.4))) {
    const row = y * width;
    span += rowHi[y] - rowLo[y] + 1;
    for (let x = rowLo[y]; x <= rowHi[y]; x++)
      if (parts[row + x] !== 0 && sch[row + x] === SCH.clothes) filled++;
  }
  const glove = [0, 1].map((s) => handPixels[s] > 0 && handClothes[s] >= rules.gloveFraction * handPixels[s]);
  // One leg in view (a person cut by the photo's edge, a side view), or legs cut off above the
  // knees (a half-length portrait), leave no gap to judge: trousers, the common case.
  const bothLegs = Math.min(legClothes[0], legClothes[1]) >= 0.2 * (legClothes[0] + legClothes[1]);
  const kneesInView = legPixels[1] >= 0.25 * legPixels[0];
  const closed = bothLegs && kneesInView && span > 0 && filled / span >= rules.skirtFill;
  // A few stray skin pixels do not make a face: below this the head counts as seen from behind.
  const face = faceSkin >= 16 ? { cy: faceY / faceSkin, x1: faceX1, x2: faceX2 } : null;
  return { lower: closed ? LIP.Skirt : LIP.Pants, closed, glove: [glove[0], glove[1]], face };
}

/**
 * The LIP label of every pixel of one person: `parts` (BodyPix part id + 1, 0 = not the
 * person) and `sch` (segmenter classes) over the same rect, with BodyPix's person probability
 * per pixel when the `noneGate` rule is on. Pixels BodyPix does not call the
 * person stay 0, so the person's extent is BodyPix's whatever the segmenter says; a person the
 * segmenter sees as all background still gets BodyPix's geometry (`none` falls back to it).
 *
 * Per body region (segmenter skin / clothes / hair / none):
 * - face: Face / Hair / Hair / Hair, except non-skin below the centre of the face's skin and
 *   within its columns (beard, shadow), which stays Face — non-skin on the head is far more
 *   often hair than a hat (the segmenter calls grey and dark hair clothes or nothing);
 * - upper and lower arm: arm / UpperClothes (a sleeve) / Hair (long hair over the arm) / `armNone`;
 * - hand: arm / Glove or UpperClothes (see `decideFusion`) / arm / arm;
 * - torso: `torsoSkin` / UpperClothes / Hair / UpperClothes;
 * - upper and lower leg: leg / Pants or Skirt / leg / `legNone`;
 * - foot: leg (bare feet and sandals show skin) / shoe / shoe / shoe.
 */
export function fuseLabels(
  parts: Uint8Array,
  sch: Uint8Array,
  width: number,
  decisions: FusionDecisions,
  rules: FusionRules = DEFAULT_FUSION_RULES,
  personProb?: Float32Array,
): Uint8Array {
  if (sch.length !== parts.length)
    throw new RangeError(`label maps differ: ${parts.length} vs ${sch.length}`);
  const out = new Uint8Array(parts.length);
  const table = fusionTable(decisions, rules);
  const face = rules.faceSplit ? decisions.face : null;
  // A person the segmenter sees as all background keeps BodyPix's geometry: no gate then.
  const gate = personProb && rules.noneGate > 0 && seesPerson(parts, sch) ? personProb : undefined;
  const below = gateLevels(rules);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === 0) continue;
    const s = sch[i];
    // Not on the head or the feet: there "nothing" is usually dark hair or dark shoes.
    if (s === SCH.none && gate && gate[i] < below[p - 1]) continue;
    let label = table[(p - 1) * 4 + s];
    if (label === LIP.Hair && face && s !== SCH.hair && BODYPIX_REGION[p - 1] === REGION.face) {
      const x = i % width;
      const y = (i - x) / width;
      if (y >= face.cy && x >= face.x1 && x <= face.x2) label = LIP.Face;
    }
    out[i] = label;
  }
  return out;
}

/** Per BodyPix part, the person probability below which its pixels the segmenter sees as nothing are background. */
export function gateLevels(rules: FusionRules): Float32Array {
  return Float32Array.from(BODYPIX_REGION, (region, p) => {
    if (GATED[p]) return rules.noneGate;
    if (region === REGION.face) return rules.headGate;
    return rules.gateFeet ? rules.noneGate : rules.feetGate;
  });
}

/** Whether the segmenter sees anything (skin, clothes or hair) on the person's pixels. */
function seesPerson(parts: Uint8Array, sch: Uint8Array): boolean {
  for (let i = 0; i < parts.length; i++) if (parts[i] !== 0 && sch[i] !== SCH.none) return true;
  return false;
}

/** `table[part·4 + sch]` = LIP id, for the 24 parts and 4 segmenter classes. */
export function fusionTable(
  decisions: FusionDecisions,
  rules: FusionRules = DEFAULT_FUSION_RULES,
): Uint8Array {
  const table = new Uint8Array(BODYPIX24_PARTS.length * 4);
  BODYPIX24_PARTS.forEach((_, p) => {
    const left = IS_LEFT[p] === 1;
    const arm = left ? LIP['Left-arm'] : LIP['Right-arm'];
    const leg = left ? LIP['Left-leg'] : LIP['Right-leg'];
    const shoe = left ? LIP['Left-shoe'] : LIP['Right-shoe'];
    let row: [number, number, number, number]; // none, skin, clothes, hair
    switch (BODYPIX_REGION[p]) {
      case REGION.face:
        // Non-skin on the head: Hair, except below the face's centre (see `fuseLabels`).
        row = [LIP.Hair, LIP.Face, LIP.Hair, LIP.Hair];
        break;
      case REGION.upperArm:
      case REGION.lowerArm:
        row = [rules.armNone === 'arm' ? arm : LIP.UpperClothes, arm, LIP.UpperClothes, LIP.Hair];
        break;
      case REGION.hand: {
        const glove = decisions.glove[left ? 0 : 1];
        row = [arm, arm, glove ? LIP.Glove : LIP.UpperClothes, arm];
        break;
      }
      case REGION.torso:
        row = [
          LIP.UpperClothes,
          rules.torsoSkin === 'face' ? LIP.Face : LIP.UpperClothes,
          LIP.UpperClothes,
          LIP.Hair,
        ];
        break;
      case REGION.upperLeg:
      case REGION.lowerLeg:
        row = [rules.legNone === 'leg' ? leg : decisions.lower, leg, decisions.lower, leg];
        break;
      default:
        row = [shoe, leg, shoe, shoe];
    }
    table.set(row, p * 4);
  });
  return table;
}

/**
 * Long hair over the shoulders and back: the segmenter often sees dark hair as nothing, and
 * the torso and arm rules then call it clothes. Pixels of the torso or the arms that the
 * segmenter leaves unlabelled (or calls hair) and that connect (4-neighbours) to the head's
 * Hair become Hair too. `labels` (fused) is rewritten in place; `parts`, `sch` as in `fuseLabels`.
 */
export function growHair(labels: Uint8Array, parts: Uint8Array, sch: Uint8Array, width: number): void {
  const n = labels.length;
  const canGrow = (i: number) => {
    const p = parts[i];
    if (p === 0 || labels[i] === LIP.Hair || (sch[i] !== SCH.none && sch[i] !== SCH.hair)) return false;
    const region = BODYPIX_REGION[p - 1];
    return region === REGION.torso || region === REGION.upperArm || region === REGION.lowerArm;
  };
  const stack: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] === LIP.Hair) stack.push(i);
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width;
    const next = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width];
    for (const j of next) {
      if (j < 0 || j >= n || !canGrow(j)) continue;
      labels[j] = LIP.Hair;
      stack.push(j);
    }
  }
}
