import { BODYPIX_REGION, REGION, SCH } from './parse-fusion';
import { LIP } from './parse-labels';

/**
 * Where the top ends and the bottom begins. BodyPix's torso reaches the hips and its legs start
 * below them, but garments do not follow that line: a coat or a dress goes on over the legs,
 * trousers come up over the hips. The colours of the two garments tell them apart: a reference
 * colour for the top (clothes on the upper half of the torso) and for the bottom (clothes on
 * the lower legs, else on the lower half of the upper legs), and every clothes pixel of the
 * zone in between (lower torso, upper legs) goes to the nearer one.
 *
 * When both references are close (one garment from shoulders down) and the leg clothes close
 * the gap between the legs (`closed`, see `decideFusion`) or stop above the lower legs, it is
 * a dress: the leg clothes become Dress. When they are close and the legs part (a suit,
 * trousers and a top of one colour), the body's own line stays.
 */
export interface GarmentRules {
  /** RGB distance under which the two references count as one garment. */
  sameGarment: number;
  /** Fewest pixels a reference needs. */
  minPixels: number;
  /** When a Dress is told (see `FusionRules.dress`). */
  dress: 'colour' | 'bare-legs' | 'off';
}

export const DEFAULT_GARMENT_RULES: GarmentRules = { sameGarment: 40, minPixels: 30, dress: 'bare-legs' };

const isUpper = (l: number) => l === LIP.UpperClothes;
const isLower = (l: number) => l === LIP.Pants || l === LIP.Skirt;

/**
 * Rewrites `labels` (the fused LIP labels of one person's rect) in place. `parts` holds BodyPix
 * part id + 1, `sch` the segmenter classes, `rgb` the rect's pixels (interleaved), all
 * `width`-wide rows of the same rect.
 */
export function splitGarments(
  labels: Uint8Array,
  parts: Uint8Array,
  sch: Uint8Array,
  rgb: Uint8Array,
  width: number,
  closed: boolean,
  rules: GarmentRules = DEFAULT_GARMENT_RULES,
): void {
  const n = labels.length;
  // Vertical extents of the torso and the upper legs, to find their halves.
  let torsoTop = Infinity;
  let torsoBottom = -1;
  let legTop = Infinity;
  let legBottom = -1;
  for (let i = 0; i < n; i++) {
    const p = parts[i];
    if (p === 0) continue;
    const y = Math.floor(i / width);
    const region = BODYPIX_REGION[p - 1];
    if (region === REGION.torso) {
      if (y < torsoTop) torsoTop = y;
      if (y > torsoBottom) torsoBottom = y;
    } else if (region === REGION.upperLeg) {
      if (y < legTop) legTop = y;
      if (y > legBottom) legBottom = y;
    }
  }
  if (torsoBottom < 0) return;
  const torsoMid = (torsoTop + torsoBottom) / 2;
  const legMid = legBottom >= 0 ? (legTop + legBottom) / 2 : Infinity;
  const top = [0, 0, 0, 0];
  const lowerLeg = [0, 0, 0, 0];
  const thigh = [0, 0, 0, 0];
  let lowerLegPixels = 0;
  for (let i = 0; i < n; i++) {
    const p = parts[i];
    if (p === 0) continue;
    const region = BODYPIX_REGION[p - 1];
    if (region === REGION.lowerLeg) lowerLegPixels++;
    if (sch[i] !== SCH.clothes) continue;
    const y = Math.floor(i / width);
    const ref =
      region === REGION.torso && y < torsoMid
        ? top
        : region === REGION.lowerLeg
          ? lowerLeg
          : region === REGION.upperLeg && y >= legMid
            ? thigh
            : null;
    if (!ref) continue;
    ref[0] += rgb[i * 3];
    ref[1] += rgb[i * 3 + 1];
    ref[2] += rgb[i * 3 + 2];
    ref[3]++;
  }
  if (top[3] < rules.minPixels) return;
  const bottom = thigh[3] >= rules.minPixels ? thigh : lowerLeg[3] >= rules.minPixels ? lowerLeg : null;
  if (!bottom) return;
  const mean = (r: number[]) => [r[0] / r[3], r[1] / r[3], r[2] / r[3]];
  const a = mean(top);
  const b = mean(bottom);
  const dist = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const lowerLegsClothed = lowerLeg[3] >= 0.5 * lowerLegPixels;
  if (dist < rules.sameGarment) {
    if (rules.dress === 'off' || (lowerLegsClothed && (!closed || rules.dress === 'bare-legs'))) return;
    for (let i = 0; i < n; i++) if (isLower(labels[i])) labels[i] = LIP.Dress;
    return;
  }
  // The bottom garment's own label (Pants or Skirt), as the fusion named it.
  let lowerLabel: number = LIP.Pants;
  for (let i = 0; i < n; i++) {
    if (isLower(labels[i])) {
      lowerLabel = labels[i];
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const p = parts[i];
    if (p === 0 || sch[i] !== SCH.clothes) continue;
    const region = BODYPIX_REGION[p - 1];
    const y = Math.floor(i / width);
    const inZone = (region === REGION.torso && y >= torsoMid) || region === REGION.upperLeg;
    if (!inZone || !(isUpper(labels[i]) || isLower(labels[i]))) continue;
    const r = rgb[i * 3];
    const g = rgb[i * 3 + 1];
    const bl = rgb[i * 3 + 2];
    const da = (r - a[0]) ** 2 + (g - a[1]) ** 2 + (bl - a[2]) ** 2;
    const db = (r - b[0]) ** 2 + (g - b[1]) ** 2 + (bl - b[2]) ** 2;
    labels[i] = da < db ? LIP.UpperClothes : lowerLabel;
  }
}
