import zlib from 'node:zlib';
import type { Rgb } from './palette';
import { paletteBytes } from './palette';

/**
 * A minimal PNG writer for the images sharp cannot write exactly: palette PNGs whose pixel
 * values are chosen ids (sharp's palette output quantises and picks its own indices) and
 * 8-bit masks. One IDAT, filter type 0 (label maps are long runs, which zlib already
 * compresses well), no interlacing.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG colour types used here. */
const COLOUR_TYPE = { gray: 0, rgb: 2, indexed: 3 } as const;

/**
 * An 8-bit indexed PNG: pixel value = `indices[i]`, shown with `palette[value]`. Readers that
 * give raw indices (PIL `Image.open(...).getdata()`, pypng) read the ids back unchanged.
 */
export function encodeIndexedPng(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: readonly Rgb[],
): Buffer {
  if (palette.length < 1 || palette.length > 256) throw new RangeError('a PNG palette holds 1–256 colours');
  return encodePng(indices, width, height, 'indexed', 1, paletteBytes(palette));
}

/** An 8-bit greyscale PNG (masks: 0 and 255). */
export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Buffer {
  return encodePng(pixels, width, height, 'gray', 1);
}

function encodePng(
  data: Uint8Array,
  width: number,
  height: number,
  colourType: keyof typeof COLOUR_TYPE,
  channels: number,
  plte?: Uint8Array,
): Buffer {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`bad PNG size ${width}x${height}`);
  }
  const stride = width * channels;
  if (data.length < stride * height)
    throw new RangeError(`expected ${stride * height} bytes, got ${data.length}`);
  // Each scanline is prefixed by its filter type byte (0 = none).
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOUR_TYPE[colourType];
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const chunks = [SIGNATURE, chunk('IHDR', ihdr)];
  if (plte) chunks.push(chunk('PLTE', Buffer.from(plte)));
  chunks.push(chunk('IDAT', zlib.deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(chunks);
}

function chunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as PNG uses). */
export function crc32(bytes: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
