import {
  LIP20_PALETTE,
  composeOverlay,
  drawSkeleton,
  encodeGrayPng,
  encodeIndexedPng,
  encodeRgbPng,
} from '@argus/vision';
import type { ParseArtifacts, ParsedImage } from './parse.types';

/** Stage 6 of the parse pipeline: overlay (with the pose skeleton when asked), label PNG, one mask PNG per person. */
export async function renderParseArtifacts(
  parsed: ParsedImage,
  alpha: number,
  pose = false,
): Promise<ParseArtifacts> {
  const { canvas, image } = parsed;
  const overlay = composeOverlay(image.data, image.width, image.height, canvas.labels, LIP20_PALETTE, {
    alpha,
    owner: canvas.owner,
  });
  if (pose) {
    for (const p of parsed.persons)
      if (p.keypoints) drawSkeleton(overlay, image.width, image.height, p.keypoints);
  }
  const overlayPng = encodeRgbPng({ data: overlay, width: image.width, height: image.height });
  const labelsPng = encodeIndexedPng(canvas.labels, image.width, image.height, LIP20_PALETTE);
  const personMaskPngs = parsed.persons.map((p) => {
    const mask = new Uint8Array(image.width * image.height);
    for (let i = 0; i < mask.length; i++) if (canvas.owner[i] === p.id) mask[i] = 255;
    return encodeGrayPng(mask, image.width, image.height);
  });
  return { overlayPng: await overlayPng, labelsPng, personMaskPngs };
}
