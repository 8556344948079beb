import sharp from 'sharp';
import { ImageError } from './image-error';
import { decodeFailure, decodeTimeout, readImageHeader, type DecodeLimits } from './decode-image';
import type { RgbImage } from './parse-input';

/**
 * Decodes an upload to interleaved 8-bit RGB at its full (EXIF-oriented) size, in one libvips
 * pipeline: alpha dropped, grey and CMYK converted to sRGB. Parsing needs the full image
 * (crops are cut from it and the overlay is drawn on it), not a letterboxed copy.
 */
export async function decodeRgb(bytes: Buffer, limits: DecodeLimits): Promise<RgbImage> {
  const header = await readImageHeader(bytes);
  if (header.width * header.height > limits.maxPixels) {
    throw new ImageError(
      'image_too_large',
      `the image is ${header.width}x${header.height}; at most ${limits.maxPixels} pixels are accepted`,
    );
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .timeout(decodeTimeout(limits))
      .autoOrient()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder returned ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
    };
  } catch (err) {
    throw decodeFailure(err);
  }
}

/** Interleaved RGB → PNG (libvips; runs on libuv's pool). */
export async function encodeRgbPng(image: RgbImage): Promise<Buffer> {
  return (
    sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
      raw: { width: image.width, height: image.height, channels: 3 },
    })
      // Level 2 with adaptive filtering: 8 % larger than level 6 but less than half the time
      // (a 1280×720 overlay: 1.11 MB in 48 ms against 1.02 MB in 114 ms).
      .png({ compressionLevel: 2, adaptiveFiltering: true })
      .toBuffer()
  );
}

/**
 * A greyscale class-map PNG (pixel value = class id, such as CIHP's labels) as ids. sharp
 * hands grey PNGs back as three equal channels, so channel 0 is read. Not for palette PNGs:
 * sharp expands those to their colours.
 */
export async function decodeGrayLabels(
  bytes: Buffer,
): Promise<{ labels: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(bytes, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
  const labels = new Uint8Array(info.width * info.height);
  for (let i = 0; i < labels.length; i++) labels[i] = data[i * info.channels];
  return { labels, width: info.width, height: info.height };
}
