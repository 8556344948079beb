/**
 * Label sets of the parse task. Results always speak LIP's 20 labels (id 0 = Background),
 * whichever network produced them, so clients see one vocabulary.
 */

/**
 * The 20 LIP labels in id order (LIP dataset definition; `models/labels/lip20.txt` holds the
 * same list). CIHP uses the same ids and names except id 10, which is Torso-skin there.
 */
export const LIP20_LABELS = [
  'Background',
  'Hat',
  'Hair',
  'Glove',
  'Sunglasses',
  'UpperClothes',
  'Dress',
  'Coat',
  'Socks',
  'Pants',
  'Jumpsuits',
  'Scarf',
  'Skirt',
  'Face',
  'Left-arm',
  'Right-arm',
  'Left-leg',
  'Right-leg',
  'Left-shoe',
  'Right-shoe',
] as const;
export type Lip20Label = (typeof LIP20_LABELS)[number];

export const LIP = Object.fromEntries(LIP20_LABELS.map((name, id) => [name, id])) as Record<
  Lip20Label,
  number
>;

/** BodyPix 2.0's 24 part channels in output order (`models/labels/bodypix24.txt`). */
export const BODYPIX24_PARTS = [
  'left_face',
  'right_face',
  'left_upper_arm_front',
  'left_upper_arm_back',
  'right_upper_arm_front',
  'right_upper_arm_back',
  'left_lower_arm_front',
  'left_lower_arm_back',
  'right_lower_arm_front',
  'right_lower_arm_back',
  'left_hand',
  'right_hand',
  'torso_front',
  'torso_back',
  'left_upper_leg_front',
  'left_upper_leg_back',
  'right_upper_leg_front',
  'right_upper_leg_back',
  'left_lower_leg_front',
  'left_lower_leg_back',
  'right_lower_leg_front',
  'right_lower_leg_back',
  'left_foot',
  'right_foot',
] as const;

/**
 * BodyPix part → LIP id. BodyPix segments the body, not clothing, so each part goes to the
 * LIP label that covers the same body region:
 * - both face halves → Face (BodyPix has no hair or hat class; its face region covers the head);
 * - upper arm, lower arm and hand → Left-arm / Right-arm (LIP's arm labels include the hands;
 *   Glove is clothing BodyPix cannot see);
 * - torso front/back → UpperClothes, not CIHP's Torso-skin: LIP has no torso-skin class
 *   (its id 10 is Jumpsuits) and in photos the torso is almost always clothed;
 * - upper and lower legs → Left-leg / Right-leg (Pants/Skirt are clothing BodyPix cannot see);
 * - feet → Left-shoe / Right-shoe.
 *
 * Left and right: both BodyPix and LIP name sides from the person's own point of view (a
 * person facing the camera has their left arm on the image's right). This was checked on the
 * CIHP images in ../shared/data/cihp_val5 (BodyPix's left_* arm and leg pixels overlap CIHP's
 * Left-arm / Left-leg far more than Right-*, see parse-labels.test.ts), so left maps to left.
 */
export const BODYPIX_TO_LIP20: readonly number[] = BODYPIX24_PARTS.map((part) => {
  const left = part.startsWith('left_');
  if (part.endsWith('_face')) return LIP.Face;
  if (part.includes('_arm_') || part.endsWith('_hand')) return left ? LIP['Left-arm'] : LIP['Right-arm'];
  if (part.startsWith('torso_')) return LIP.UpperClothes;
  if (part.includes('_leg_')) return left ? LIP['Left-leg'] : LIP['Right-leg'];
  if (part.endsWith('_foot')) return left ? LIP['Left-shoe'] : LIP['Right-shoe'];
  throw new Error(`unmapped BodyPix part ${part}`);
});

/**
 * Spellings of LIP labels seen in other releases (CIHP, SCHP code, ATR-style names), for
 * label files of SCHP-format models. CIHP's Torso-skin goes to UpperClothes for the same
 * reason BodyPix's torso does.
 */
const LIP20_ALIASES: Record<string, Lip20Label> = {
  'upper-clothes': 'UpperClothes',
  upperclothes: 'UpperClothes',
  upper_clothes: 'UpperClothes',
  'torso-skin': 'UpperClothes',
  left_arm: 'Left-arm',
  right_arm: 'Right-arm',
  left_leg: 'Left-leg',
  right_leg: 'Right-leg',
  left_shoe: 'Left-shoe',
  right_shoe: 'Right-shoe',
};

/**
 * Maps a model's own class names to LIP ids by name (case-insensitive, `_`/`-` and spaces
 * treated alike). Throws naming the first class that has no LIP counterpart.
 */
export function mapLabelsToLip20(names: readonly string[]): number[] {
  const key = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, '-');
  const byKey = new Map<string, number>(LIP20_LABELS.map((n, id) => [key(n), id]));
  for (const [alias, target] of Object.entries(LIP20_ALIASES)) byKey.set(key(alias), LIP[target]);
  return names.map((name) => {
    const id = byKey.get(key(name));
    if (id === undefined) throw new Error(`class "${name}" has no LIP counterpart`);
    return id;
  });
}
