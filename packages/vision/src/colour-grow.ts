import { BODYPIX_REGION, REGION, SCH } from './parse-fusion';
import { LIP } from './parse-labels';

/**
 * Growing a label over its neighbours of the same colour, where the segmenter's classes do not
 * tell garments apart. Long hair over the shoulders and back: the segmenter often calls dark
 * hair clothes, so the torso and arm rules name it UpperClothes. Shoes under trouser hems and
 * boots up the calves: BodyPix's feet end at the ankles, so the leg rules name them Pants.
 *
 * `labels` (fused) is rewritten in place; `parts` holds BodyPix part id + 1, `sch` the segmenter
 * classes, `rgb` the rect's pixels (interleaved), all `width`-wide rows of the same rect.
 * Linear in the pixel count (each pixel is pushed at most once).
 */
export interface ColourGrowth {
  /** Labels that grow; a grown pixel takes the label of the pixel it grew from. */
  seeds: readonly number[];
  /** Only seed pixels of these BodyPix regions give the reference colour. */
  seedRegions: readonly number[];
  /** Labels that may be taken over. */
  targets: readonly number[];
  /** BodyPix regions where pixels may be taken over. */
  targetRegions: readonly number[];
  /** A pixel is taken over when its colour is within this RGB distance of the seeds' mean and nearer to it than to the targets' mean. */
  maxDistance: number;
  /** Whether pixels the segmenter calls skin may be taken over (fair hair it sees as skin). */
  overSkin?: boolean;
}

export const HAIR_GROWTH: Omit<ColourGrowth, 'maxDistance'> = {
  seeds: [LIP.Hair],
  seedRegions: [REGION.face],
  targets: [LIP.UpperClothes],
  targetRegions: [REGION.torso, REGION.upperArm, REGION.lowerArm],
};

export const SHOE_GROWTH: Omit<ColourGrowth, 'maxDistance'> = {
  seeds: [LIP['Left-shoe'], LIP['Right-shoe']],
  seedRegions: [REGION.foot],
  targets: [LIP.Pants, LIP.Skirt, LIP['Left-leg'], LIP['Right-leg']],
  targetRegions: [REGION.lowerLeg],
};

/** Fair hair the segmenter calls skin: the head's Hair grows over head Face pixels of the hair's colour. */
export const HEAD_HAIR_GROWTH: Omit<ColourGrowth, 'maxDistance'> = {
  seeds: [LIP.Hair],
  seedRegions: [REGION.face],
  targets: [LIP.Face],
  targetRegions: [REGION.face],
  overSkin: true,
};

export function growByColour(
  labels: Uint8Array,
  parts: Uint8Array,
  sch: Uint8Array,
  rgb: Uint8Array,
  width: number,
  spec: ColourGrowth,
): void {
  const n = labels.length;
  const isSeed = new Uint8Array(256);
  const isTarget = new Uint8Array(256);
  const seedRegion = new Uint8Array(16);
  const targetRegion = new Uint8Array(16);
  for (const l of spec.seeds) isSeed[l] = 1;
  for (const l of spec.targets) isTarget[l] = 1;
  for (const r of spec.seedRegions) seedRegion[r] = 1;
  for (const r of spec.targetRegions) targetRegion[r] = 1;
  const seed = [0, 0, 0, 0];
  const other = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const p = parts[i];
    if (p === 0) continue;
    const region = BODYPIX_REGION[p - 1];
    const l = labels[i];
    const ref = isSeed[l] && seedRegion[region] ? seed : isTarget[l] && targetRegion[region] ? other : null;
    if (!ref) continue;
    ref[0] += rgb[i * 3];
    ref[1] += rgb[i * 3 + 1];
    ref[2] += rgb[i * 3 + 2];
    ref[3]++;
  }
  // Too few seed pixels to trust their colour (a bald head, a hat, feet out of view).
  if (seed[3] < 30 || other[3] === 0) return;
  const [sr, sg, sb] = [seed[0] / seed[3], seed[1] / seed[3], seed[2] / seed[3]];
  const [or, og, ob] = [other[0] / other[3], other[1] / other[3], other[2] / other[3]];
  const max2 = spec.maxDistance * spec.maxDistance;
  const overSkin = spec.overSkin ?? false;
  const canGrow = (j: number): boolean => {
    const p = parts[j];
    if (p === 0 || !isTarget[labels[j]] || !targetRegion[BODYPIX_REGION[p - 1]]) return false;
    if (sch[j] === SCH.skin && !overSkin) return false;
    const r = rgb[j * 3];
    const g = rgb[j * 3 + 1];
    const b = rgb[j * 3 + 2];
    const ds = (r - sr) ** 2 + (g - sg) ** 2 + (b - sb) ** 2;
    return ds < max2 && ds < (r - or) ** 2 + (g - og) ** 2 + (b - ob) ** 2;
  };
  const stack = new Int32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) if (parts[i] !== 0 && isSeed[labels[i]]) stack[size++] = i;
  while (size > 0) {
    const i = stack[--size];
    const x = i % width;
    const label = labels[i];
    for (let k = 0; k < 4; k++) {
      const j =
        k === 0
          ? x > 0
            ? i - 1
            : -1
          : k === 1
            ? x < width - 1
              ? i + 1
              : -1
            : k === 2
              ? i - width
              : i + width;
      if (j < 0 || j >= n || !canGrow(j)) continue;
      labels[j] = label;
      stack[size++] = j;
    }
  }
}
