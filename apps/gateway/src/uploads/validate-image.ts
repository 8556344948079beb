import { AppError } from '@argus/contracts';
import { readImageHeader, type ImageHeader } from '@argus/vision';

export interface ValidatedImage {
  bytes: Buffer;
  header: ImageHeader;
}

/**
 * Checks an upload before anything is queued: real image type by magic bytes (415), a
 * readable header (422 invalid_image), and the pixel count from the header before any
 * decoding (422 image_too_large).
 */
export async function validateImage(bytes: Buffer, maxPixels: number): Promise<ValidatedImage> {
  if (bytes.length === 0) throw new AppError('missing_image', 'the uploaded file is empty');
  const header = await readImageHeader(bytes);
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new AppError(
      'image_too_large',
      `the image is ${header.width}x${header.height} (${(pixels / 1e6).toFixed(1)} MP); at most ${(maxPixels / 1e6).toFixed(1)} MP are accepted`,
    );
  }
  return { bytes, header };
}
