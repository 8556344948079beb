import { AppError } from '@argus/contracts';
import { ImageError, countJpegScans, readImageHeader, type ImageHeader } from '@argus/vision';

export interface ValidatedImage {
  bytes: Buffer;
  header: ImageHeader;
}

/** Decode-cost bounds for JPEGs (MAX_JPEG_SCANS, MAX_JPEG_SCAN_PIXELS); unset = unbounded. */
export interface ComplexityLimits {
  maxJpegScans?: number;
  maxJpegScanPixels?: number;
}

/**
 * Checks an upload before anything is queued: real image type by magic bytes (415), a
 * readable header (422 invalid_image), the pixel count from the header before any
 * decoding (422 image_too_large), and a JPEG's scan count, which bounds its decode time
 * (422 image_too_complex).
 */
export async function validateImage(
  bytes: Buffer,
  maxPixels: number,
  complexity: ComplexityLimits = {},
): Promise<ValidatedImage> {
  if (bytes.length === 0) throw new AppError('missing_image', 'the uploaded file is empty');
  const header = await readImageHeader(bytes).catch((err: unknown) => {
    throw err instanceof ImageError ? new AppError(err.code, err.message) : err;
  });
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new AppError(
      'image_too_large',
      `the image is ${header.width}x${header.height} (${(pixels / 1e6).toFixed(1)} MP); at most ${(maxPixels / 1e6).toFixed(1)} MP are accepted`,
    );
  }
  if (header.format === 'jpeg') checkJpegComplexity(bytes, pixels, complexity);
  return { bytes, header };
}

function checkJpegComplexity(bytes: Buffer, pixels: number, limits: ComplexityLimits): void {
  const scans = countJpegScans(bytes);
  if (limits.maxJpegScans !== undefined && scans > limits.maxJpegScans) {
    throw new AppError(
      'image_too_complex',
      `the JPEG has ${scans} scans; at most ${limits.maxJpegScans} are accepted (re-encode it as baseline or standard progressive)`,
    );
  }
  const cost = scans * pixels;
  if (limits.maxJpegScanPixels !== undefined && cost > limits.maxJpegScanPixels) {
    throw new AppError(
      'image_too_complex',
      `the JPEG's decode cost (${scans} scans × ${(pixels / 1e6).toFixed(1)} MP) exceeds ${(limits.maxJpegScanPixels / 1e6).toFixed(0)} M scan-pixels; send fewer scans or fewer pixels`,
    );
  }
}
