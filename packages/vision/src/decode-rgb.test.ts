import sharp from 'sharp';
import { ImageError } from './image-error';
import { decodeGrayLabels, decodeRgb, encodeRgbPng } from './decode-rgb';
import { encodeGrayPng } from './png-encode';

const width = 6;
const height = 4;
const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 53) % 256);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageError);
    return (err as ImageError).code;
  }
  throw new Error('expected an ImageError');
}

describe('decodeRgb / encodeRgbPng', () => {
  it('round-trips RGB pixels through PNG', async () => {
    const png = await encodeRgbPng({ data: rgb, width, height });
    const image = await decodeRgb(png, { maxPixels: 1000 });
    expect([image.width, image.height]).toEqual([width, height]);
    expect(Array.from(image.data)).toEqual(Array.from(rgb));
  });

  it('drops alpha and expands grey to three channels', async () => {
    const rgba = await sharp(Buffer.alloc(2 * 2 * 4, 200), { raw: { width: 2, height: 2, channels: 4 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeRgb(rgba, { maxPixels: 100 })).data)).toEqual(new Array(12).fill(200));
    const grey = encodeGrayPng(Uint8Array.from([0, 50, 100, 250]), 2, 2);
    expect(Array.from((await decodeRgb(grey, { maxPixels: 100 })).data)).toEqual([
      0, 0, 0, 50, 50, 50, 100, 100, 100, 250, 250, 250,
    ]);
  });

  it('applies EXIF orientation (the frame boxes and masks refer to)', async () => {
    const jpeg = await sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const image = await decodeRgb(jpeg, { maxPixels: 1000 });
    expect([image.width, image.height]).toEqual([height, width]);
  });

  it('refuses too many pixels, non-images and broken images with client error codes', async () => {
    const png = await encodeRgbPng({ data: rgb, width, height });
    expect(await code(decodeRgb(png, { maxPixels: 23 }))).toBe('image_too_large');
    expect(await code(decodeRgb(Buffer.from('not an image'), { maxPixels: 1000 }))).toBe(
      'unsupported_media_type',
    );
    expect(await code(decodeRgb(png.subarray(0, 60), { maxPixels: 1000 }))).toBe('invalid_image');
  });
});

describe('decodeGrayLabels', () => {
  it('reads class ids from a grey PNG', async () => {
    const ids = Uint8Array.from([0, 1, 19, 5, 13, 0]);
    const out = await decodeGrayLabels(encodeGrayPng(ids, 3, 2));
    expect([out.width, out.height]).toEqual([3, 2]);
    expect(Array.from(out.labels)).toEqual(Array.from(ids));
  });
});
