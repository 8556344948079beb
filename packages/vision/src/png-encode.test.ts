import zlib from 'node:zlib';
import sharp from 'sharp';
import { crc32, encodeGrayPng, encodeIndexedPng } from './png-encode';
import type { Rgb } from './palette';

/** The chunks of a PNG file, in order. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  let p = 8;
  while (p < png.length) {
    const len = png.readUInt32BE(p);
    const type = png.toString('ascii', p + 4, p + 8);
    const data = png.subarray(p + 8, p + 8 + len);
    expect(png.readUInt32BE(p + 8 + len)).toBe(crc32(png.subarray(p + 4, p + 8 + len)));
    out.push({ type, data });
    p += 12 + len;
  }
  return out;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('encodeIndexedPng', () => {
  const palette: Rgb[] = [
    [0, 0, 0],
    [255, 0, 0],
    [0, 255, 0],
  ];
  const width = 5;
  const height = 3;
  const ids = Uint8Array.from([0, 1, 2, 2, 1, 1, 1, 0, 0, 2, 2, 2, 2, 2, 0]);

  it('stores the ids themselves as pixel values, with the palette', () => {
    const png = encodeIndexedPng(ids, width, height, palette);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'IDAT', 'IEND']);
    const ihdr = parts[0].data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([width, height, 8, 3]);
    expect(Array.from(parts[1].data)).toEqual(palette.flat());
    const raw = zlib.inflateSync(parts[2].data);
    const rows = Array.from({ length: height }, (_, y) =>
      Array.from(raw.subarray(y * (width + 1), (y + 1) * (width + 1))),
    );
    for (let y = 0; y < height; y++) {
      expect(rows[y][0]).toBe(0); // filter type none
      expect(rows[y].slice(1)).toEqual(Array.from(ids.subarray(y * width, (y + 1) * width)));
    }
  });

  it('decodes (with sharp) to the palette colours', async () => {
    const { data, info } = await sharp(encodeIndexedPng(ids, width, height, palette))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
    for (let i = 0; i < ids.length; i++)
      expect(Array.from(data.subarray(i * 3, i * 3 + 3))).toEqual(palette[ids[i]]);
  });

  it('rejects a bad size, too few bytes or a palette over 256 colours', () => {
    expect(() => encodeIndexedPng(ids, 0, 3, palette)).toThrow(RangeError);
    expect(() => encodeIndexedPng(ids, 6, 3, palette)).toThrow(RangeError);
    expect(() => encodeIndexedPng(ids, width, height, new Array<Rgb>(257).fill([0, 0, 0]))).toThrow(
      RangeError,
    );
  });
});

describe('encodeGrayPng', () => {
  it('round-trips through sharp', async () => {
    const pixels = Uint8Array.from({ length: 7 * 4 }, (_, i) => (i * 37) % 256);
    const { data, info } = await sharp(encodeGrayPng(pixels, 7, 4))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([7, 4]);
    for (let i = 0; i < pixels.length; i++) expect(data[i * info.channels]).toBe(pixels[i]);
  });
});
