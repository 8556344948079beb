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

/**
 * The size a rendered image gets: the image's own, or scaled down (aspect kept) to at most
 * `maxPixels`, so a 40 MP upload never becomes a 100 MB PNG.
 */
export function renderSize(
  width: number,
  height: number,
  maxPixels = Infinity,
): { width: number; height: number; scale: number } {
  if (width * height <= maxPixels) return { width, height, scale: 1 };
  const scale = Math.sqrt(maxPixels / (width * height));
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  return { width: w, height: h, scale: w / width };
}

/**
 * The photo (EXIF-oriented) with labelled boxes, as PNG, at most `maxPixels` large: a
 * larger photo is drawn downscaled, boxes scaled with it.
 */
export async function renderDetectionOverlay(
  bytes: Buffer,
  detections: readonly Detection[],
  size: { width: number; height: number },
  maxPixels = Infinity,
): Promise<Buffer> {
  const out = renderSize(size.width, size.height, maxPixels);
  const scaled =
    out.scale === 1
      ? detections
      : detections.map((d) => ({
          ...d,
          box: {
            x1: d.box.x1 * out.scale,
            y1: d.box.y1 * out.scale,
            x2: d.box.x2 * out.scale,
            y2: d.box.y2 * out.scale,
          },
        }));
  const svg = Buffer.from(detectionSvg(scaled, out.width, out.height));
  let image = sharp(bytes, { limitInputPixels: false }).autoOrient().removeAlpha();
  if (out.scale !== 1) {
    // Resize first into a buffer: sharp composites before it resizes within one pipeline.
    const { data, info } = await image
      .resize(out.width, out.height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  }
  return image
    .composite([{ input: svg, top: 0, left: 0 }])
    .png({ compressionLevel: 3 })
    .toBuffer();
}

/** A rendered PNG downscaled to at most `maxPixels` (unchanged when it fits). */
export async function capRenderedPng(
  png: Buffer,
  width: number,
  height: number,
  maxPixels: number,
): Promise<{ png: Buffer; size?: { width: number; height: number; scale: number } }> {
  const out = renderSize(width, height, maxPixels);
  if (out.scale === 1) return { png };
  const resized = await sharp(png, { limitInputPixels: false })
    .resize(out.width, out.height, { fit: 'fill' })
    .png({ compressionLevel: 3 })
    .toBuffer();
  return { png: resized, size: out };
}
