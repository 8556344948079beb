import sharp, { type Metadata } from 'sharp';
import { ImageError } from './image-error';
import { sniffImageFormat, type ImageFormat } from './image-format';
import { computeLetterbox, type Letterbox } from './letterbox';

export interface ImageHeader {
  format: ImageFormat;
  /** Size after EXIF orientation, which is what clients see and boxes refer to. */
  width: number;
  height: number;
  /** EXIF orientation tag (1 when absent). */
  orientation: number;
  pages: number;
}

/**
 * Reads format and size from the header without decoding pixels, so an oversized image
 * is refused before any memory is spent on it.
 */
export async function readImageHeader(bytes: Buffer): Promise<ImageHeader> {
  const format = sniffImageFormat(bytes);
  if (!format) throw new ImageError('unsupported_media_type', 'the file is not a JPEG, PNG or WebP image');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageError(
      'invalid_image',
      `the ${format.toUpperCase()} header cannot be read: ${reason(err)}`,
    );
  }
  if (!meta.width || !meta.height) throw new ImageError('invalid_image', 'the image has no width or height');
  return {
    format,
    width: meta.autoOrient?.width ?? meta.width,
    height: meta.autoOrient?.height ?? meta.height,
    orientation: meta.orientation ?? 1,
    pages: meta.pages ?? 1,
  };
}

export interface LetterboxedImage {
  /** Interleaved RGB at the model input size. */
  rgb: Uint8Array;
  letterbox: Letterbox;
}

export interface DecodeLimits {
  /** Refuse images with more pixels than this (decompression bombs). */
  maxPixels: number;
  /** Abort a decode that runs longer (libvips' timeout; fails with `timeout`). */
  timeoutSeconds?: number;
}

/** sharp's `timeout` option for the limits (0 = none). */
export function decodeTimeout(limits: DecodeLimits): { seconds: number } {
  return { seconds: Math.max(0, Math.ceil(limits.timeoutSeconds ?? 0)) };
}

/** A decode failure as the client's error: `timeout` when libvips gave up on the deadline. */
export function decodeFailure(err: unknown): ImageError {
  const text = err instanceof Error ? err.message : String(err);
  if (/^timeout: \d+% complete/.test(text)) {
    return new ImageError(
      'timeout',
      `decoding the image took longer than the worker's deadline (${text.split('\n')[0]})`,
    );
  }
  return new ImageError('invalid_image', `the image cannot be decoded: ${reason(err)}`);
}

/**
 * EXIF-orients, scales to fit `size` without distortion and pads with `padValue`, in one
 * libvips pipeline (runs on libuv's pool, not the JS thread). Alpha is dropped and grey /
 * CMYK images become sRGB so the model always sees three channels.
 */
export async function decodeLetterboxed(
  bytes: Buffer,
  size: { width: number; height: number },
  padValue: number,
  limits: DecodeLimits,
): Promise<LetterboxedImage> {
  const header = await readImageHeader(bytes);
  if (header.width * header.height > limits.maxPixels) {
    throw new ImageError(
      'image_too_large',
      `the image is ${header.width}x${header.height}; at most ${limits.maxPixels} pixels are accepted`,
    );
  }
  const lb = computeLetterbox(header.width, header.height, size.width, size.height);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .timeout(decodeTimeout(limits))
      .autoOrient()
      .resize(lb.resizedWidth, lb.resizedHeight, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
      .extend({
        top: lb.padTop,
        bottom: lb.padBottom,
        left: lb.padLeft,
        right: lb.padRight,
        background: { r: padValue, g: padValue, b: padValue, alpha: 1 },
      })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== size.width || info.height !== size.height) {
      throw new Error(`decoder returned ${info.width}x${info.height}x${info.channels}`);
    }
    return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), letterbox: lb };
  } catch (err) {
    throw decodeFailure(err);
  }
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // libvips messages span lines and name internal files; the first line is the useful part.
  return text
    .split('\n')[0]
    .replace(/^Input (buffer|file) /, '')
    .slice(0, 200);
}
