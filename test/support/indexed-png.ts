/**
 * Reads the raw pixel values of an 8-bit PNG (indexed or greyscale), which sharp cannot give:
 * it expands palette PNGs to their colours. Tests use it to check that the label PNG's pixel
 * values are the part ids. Handles all five scanline filters; not interlaced images.
 */
import zlib from 'node:zlib';

export interface RawPng {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 indexed, … */
  colourType: number;
  /** One byte per pixel (indexed or grey images). */
  pixels: Uint8Array;
  /** PLTE entries as [r, g, b] (indexed images). */
  palette: [number, number, number][];
}

export function readIndexedPng(png: Buffer): RawPng {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let p = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  const palette: [number, number, number][] = [];
  while (p < png.length) {
    const len = png.readUInt32BE(p);
    const type = png.toString('ascii', p + 4, p + 8);
    const data = png.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8) throw new Error(`bit depth ${data[8]} not supported`);
      colourType = data[9];
      if (colourType !== 0 && colourType !== 3) throw new Error(`colour type ${colourType} not supported`);
      if (data[12] !== 0) throw new Error('interlaced PNGs not supported');
    } else if (type === 'PLTE') {
      for (let i = 0; i + 2 < data.length; i += 3) palette.push([data[i], data[i + 1], data[i + 2]]);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    p += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height);
  const prev = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    const line = raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1));
    const out = pixels.subarray(y * width, (y + 1) * width);
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? out[x - 1] : 0;
      const b = prev[x];
      const c = x > 0 ? prev[x - 1] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad filter ${filter}`);
      out[x] = (line[x] + predictor) & 0xff;
    }
    prev.set(out);
  }
  return { width, height, colourType, pixels, palette };
}
