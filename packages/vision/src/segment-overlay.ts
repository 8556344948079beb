import sharp from 'sharp';
import type { Detection } from '@argus/contracts';
import { boxColour } from './box-colours';
import { detectionSvg } from './detection-overlay';
import type { BoxMask } from './segment-mask';

/** Instance `i`'s colour: instances are told apart, not classes (two people, two colours). */
export function instanceColour(index: number): string {
  return boxColour(index);
}

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * Blends each instance's mask into interleaved RGB at `alpha` with its own colour, and draws
 * the mask's outline opaquely so touching instances stay apart. Later instances (lower
 * scores) are painted over earlier ones.
 */
export function composeInstanceOverlay(
  rgb: Uint8Array,
  width: number,
  height: number,
  masks: readonly BoxMask[],
  alpha: number,
): Uint8Array {
  if (rgb.length < width * height * 3) throw new RangeError('image must cover width×height');
  const out = new Uint8Array(rgb.subarray(0, width * height * 3));
  const fill = Math.round(Math.min(1, Math.max(0, alpha)) * 256);
  const edge = Math.round(Math.min(1, alpha + 0.4) * 256);
  masks.forEach((m, index) => {
    const colour = hexToRgb(instanceColour(index));
    const at = (r: number, c: number) =>
      r >= 0 && c >= 0 && r < m.height && c < m.width ? m.data[r * m.width + c] : 0;
    for (let r = 0; r < m.height; r++) {
      const y = m.top + r;
      if (y >= height) break;
      for (let c = 0; c < m.width; c++) {
        if (!m.data[r * m.width + c]) continue;
        const x = m.left + c;
        if (x >= width) break;
        const border = !at(r - 1, c) || !at(r + 1, c) || !at(r, c - 1) || !at(r, c + 1);
        const a = border ? edge : fill;
        const p = (y * width + x) * 3;
        for (let k = 0; k < 3; k++) out[p + k] = out[p + k] + (((colour[k] - out[p + k]) * a + 128) >> 8);
      }
    }
  });
  return out;
}

/** `overlay.png` of a segmentation: coloured instance masks, then labelled boxes in the same colours. */
export async function renderSegmentOverlay(
  image: { data: Uint8Array; width: number; height: number },
  instances: readonly Detection[],
  masks: readonly BoxMask[],
  alpha = 0.45,
): Promise<Buffer> {
  const { width, height } = image;
  const blended = composeInstanceOverlay(image.data, width, height, masks, alpha);
  const svg = Buffer.from(detectionSvg(instances, width, height, (_d, i) => instanceColour(i)));
  return sharp(Buffer.from(blended.buffer, blended.byteOffset, blended.byteLength), {
    raw: { width, height, channels: 3 },
  })
    .composite([{ input: svg, top: 0, left: 0 }])
    .png({ compressionLevel: 3 })
    .toBuffer();
}
