import { BODYPIX_REGION, DEFAULT_FUSION_RULES, REGION, SCH, type FusionRules } from './parse-fusion';

/**
 * Growing the person beyond BodyPix's person mask, which is stride-16 coarse and cuts long
 * hair, shoes and garment edges (the `extendThreshold` and `extendFeet` rules; measured on
 * ccp_dev and off by default, docs/parse.md).
 */

/** The BodyPix threshold to decode part ids with, so that `extendPersonMask` can see below `threshold`. */
export function decodeThreshold(threshold: number, rules: FusionRules = DEFAULT_FUSION_RULES): number {
  let t = threshold;
  if (rules.extendThreshold > 0) t = Math.min(t, rules.extendThreshold);
  if (rules.extendFeet > 0) t = Math.min(t, rules.extendFeet);
  return t;
}

/**
 * Grows the person beyond BodyPix's coarse mask where the segmenter sees the person. `parts`
 * (BodyPix part id + 1) was decoded at `decodeThreshold`, `prob` holds BodyPix's person
 * probability of its pixels. A pixel at or below `threshold` stays the person only when the
 * segmenter sees skin, clothes or hair there and its probability is above `extendThreshold`,
 * or when it is a foot above `extendFeet`; else it becomes 0. Each kept pixel keeps its
 * nearest part (BodyPix's arg-max there). Rewrites `parts` in place.
 */
export function extendPersonMask(
  parts: Uint8Array,
  prob: Float32Array,
  sch: Uint8Array,
  threshold: number,
  rules: FusionRules = DEFAULT_FUSION_RULES,
): void {
  const ext = rules.extendThreshold > 0 ? rules.extendThreshold : 1;
  const feet = rules.extendFeet > 0 ? rules.extendFeet : 1;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === 0) continue;
    const v = prob[i];
    if (v > threshold) continue;
    if (sch[i] !== SCH.none && v > ext) continue;
    if (BODYPIX_REGION[p - 1] === REGION.foot && v > feet) continue;
    parts[i] = 0;
  }
}
