import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '@argus/contracts';
import { decodeLetterboxed, readImageHeader } from './decode-image';
import { ImageError } from './image-error';
import { computeLetterbox } from './letterbox';

// The staged sample images (../shared/data/samples beside the repository).
const SAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'samples');
const BUS = fs.readFileSync(path.join(SAMPLES, 'bus.jpg')); // 810x1080
const ZIDANE = fs.readFileSync(path.join(SAMPLES, 'zidane.jpg')); // 1280x720
const SIZE = { width: 640, height: 640 };
const LIMITS = { maxPixels: 40_000_000 };

/** RGB of pixel (x, y) in an interleaved 640-wide buffer. */
const px = (rgb: Uint8Array, x: number, y: number, width = 640) =>
  Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));

/** True when every pixel of the rectangle is (v, v, v). */
function allEqual(
  rgb: Uint8Array,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  v: number,
  width = 640,
): boolean {
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 3;
      if (rgb[i] !== v || rgb[i + 1] !== v || rgb[i + 2] !== v) return false;
    }
  }
  return true;
}

async function expectImageError(promise: Promise<unknown>, code: string): Promise<ImageError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageError);
  expect((err as ImageError).code).toBe(code);
  return err as ImageError;
}

describe('readImageHeader', () => {
  it('reads format and size of real JPEGs', async () => {
    expect(await readImageHeader(BUS)).toEqual({
      format: 'jpeg',
      width: 810,
      height: 1080,
      orientation: 1,
      pages: 1,
    });
    expect(await readImageHeader(ZIDANE)).toMatchObject({ width: 1280, height: 720 });
  });

  it('reports the size after EXIF orientation', async () => {
    // Orientation 6 = rotate 90° clockwise to display: the stored 810x1080 shows as 1080x810.
    const oriented = await sharp(BUS).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect((await sharp(oriented).metadata()).width).toBe(810);
    expect(await readImageHeader(oriented)).toMatchObject({ width: 1080, height: 810, orientation: 6 });
  });

  it('refuses a text file as unsupported_media_type', async () => {
    await expectImageError(
      readImageHeader(Buffer.from('hello, this is not an image\n')),
      'unsupported_media_type',
    );
  });
});

describe('decodeLetterboxed', () => {
  it('letterboxes a portrait photo with grey side bars', async () => {
    const { rgb, letterbox } = await decodeLetterboxed(BUS, SIZE, 114, LIMITS);
    expect(rgb).toHaveLength(640 * 640 * 3);
    expect(letterbox).toEqual(computeLetterbox(810, 1080, 640));
    expect(letterbox).toMatchObject({ resizedWidth: 480, padLeft: 80, padRight: 80 });
    expect(allEqual(rgb, 0, 0, 80, 640, 114)).toBe(true);
    expect(allEqual(rgb, 560, 0, 640, 640, 114)).toBe(true);
    // The photo fills columns 80–559: its first and last columns are not padding.
    expect(allEqual(rgb, 80, 0, 81, 640, 114)).toBe(false);
    expect(allEqual(rgb, 559, 0, 560, 640, 114)).toBe(false);
  });

  it('letterboxes a landscape photo with bars on top and bottom and the chosen pad value', async () => {
    const { rgb, letterbox } = await decodeLetterboxed(ZIDANE, SIZE, 0, LIMITS);
    expect(letterbox).toMatchObject({ resizedHeight: 360, padTop: 140, padBottom: 140 });
    expect(allEqual(rgb, 0, 0, 640, 140, 0)).toBe(true);
    expect(allEqual(rgb, 0, 500, 640, 640, 0)).toBe(true);
    expect(allEqual(rgb, 0, 140, 640, 141, 0)).toBe(false);
  });

  it('applies EXIF orientation before letterboxing', async () => {
    const oriented = await sharp(BUS).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const { rgb, letterbox } = await decodeLetterboxed(oriented, SIZE, 114, LIMITS);
    expect(letterbox).toMatchObject({
      srcWidth: 1080,
      srcHeight: 810,
      resizedWidth: 640,
      resizedHeight: 480,
    });
    expect(letterbox).toMatchObject({ padTop: 80, padBottom: 80 });
    expect(letterbox.padLeft + letterbox.padRight).toBe(0);
    expect(allEqual(rgb, 0, 0, 640, 80, 114)).toBe(true);
    expect(allEqual(rgb, 0, 560, 640, 640, 114)).toBe(true);

    // The pixels are those of the physically rotated photo, not the stored ones stretched.
    const rotated = await sharp(BUS).rotate(90).jpeg({ quality: 95 }).toBuffer();
    const reference = await decodeLetterboxed(rotated, SIZE, 114, LIMITS);
    let diff = 0;
    for (let i = 0; i < rgb.length; i++) diff += Math.abs(rgb[i] - reference.rgb[i]);
    expect(diff / rgb.length).toBeLessThan(3);
    expect(px(rgb, 320, 320)).not.toEqual([114, 114, 114]);
  });

  it('turns grey and RGBA images into three channels', async () => {
    const grey = await sharp(BUS).resize(81, 108).greyscale().png().toBuffer();
    const rgba = await sharp(BUS).resize(81, 108).ensureAlpha(0.5).png().toBuffer();
    for (const bytes of [grey, rgba]) {
      const { rgb } = await decodeLetterboxed(bytes, { width: 64, height: 64 }, 114, LIMITS);
      expect(rgb).toHaveLength(64 * 64 * 3);
    }
    const { rgb } = await decodeLetterboxed(grey, { width: 64, height: 64 }, 114, LIMITS);
    const [r, g, b] = px(rgb, 32, 32, 64);
    expect(r).toBe(g);
    expect(g).toBe(b);
  });

  it('refuses a truncated JPEG as invalid_image', async () => {
    const truncated = BUS.subarray(0, Math.floor(BUS.length / 2));
    const err = await expectImageError(decodeLetterboxed(truncated, SIZE, 114, LIMITS), 'invalid_image');
    // The callers' mapping (the worker's job failure, the gateway's upload check) answers 422.
    expect(new AppError(err.code, err.message).status).toBe(422);
  });

  it('refuses a text file as unsupported_media_type', async () => {
    await expectImageError(
      decodeLetterboxed(Buffer.from('{"not": "an image"}'), SIZE, 114, LIMITS),
      'unsupported_media_type',
    );
  });

  it('refuses an image above the pixel limit before decoding it', async () => {
    const err = await expectImageError(
      decodeLetterboxed(BUS, SIZE, 114, { maxPixels: 810 * 1080 - 1 }),
      'image_too_large',
    );
    expect(err.message).toContain('810x1080');
  });
});
