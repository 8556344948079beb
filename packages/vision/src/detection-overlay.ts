import sharp from 'sharp';
import type { Detection } from '@argus/contracts';
import { boxColour } from './box-colours';

export { boxColour };

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

/**
 * The SVG layer of labelled boxes for an image of `width`×`height`. Line width and font size
 * follow the image size so labels stay readable on both thumbnails and 4K photos.
 */
export function detectionSvg(
  detections: readonly Detection[],
  width: number,
  height: number,
  colourOf: (d: Detection, index: number) => string = (d) => boxColour(d.classId),
): string {
  const unit = Math.max(1, Math.round(Math.min(width, height) / 300));
  const font = 9 * unit;
  const shapes = detections.map((d, index) => {
    const colour = colourOf(d, index);
    const { x1, y1, x2, y2 } = d.box;
    const label = `${escapeXml(d.label)} ${d.confidence.toFixed(2)}`;
    const labelWidth = Math.round(label.length * font * 0.62 + 4 * unit);
    const labelY = y1 - font - 4 * unit >= 0 ? y1 - font - 4 * unit : y1;
    // Labels stay inside the picture, so a box at the right edge keeps a readable tag.
    const labelX = Math.max(0, Math.min(x1, width - labelWidth));
    return [
      `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${colour}" stroke-width="${2 * unit}"/>`,
      `<rect x="${labelX}" y="${labelY}" width="${labelWidth}" height="${font + 4 * unit}" fill="${colour}"/>`,
      `<text x="${labelX + 2 * unit}" y="${labelY + font + unit}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="#ffffff">${label}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/** The photo (EXIF-oriented) with labelled boxes, as PNG. */
export async function renderDetectionOverlay(
  bytes: Buffer,
  detections: readonly Detection[],
  size: { width: number; height: number },
): Promise<Buffer> {
  const svg = Buffer.from(detectionSvg(detections, size.width, size.height));
  return sharp(bytes, { limitInputPixels: false })
    .autoOrient()
    .removeAlpha()
    .composite([{ input: svg, top: 0, left: 0 }])
    .png({ compressionLevel: 3 })
    .toBuffer();
}
