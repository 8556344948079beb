import sharp from 'sharp';
import { PngSplitter } from './png-splitter';

const png = (colour: string) =>
  sharp({ create: { width: 8, height: 6, channels: 3, background: colour } })
    .png()
    .toBuffer();

describe('PngSplitter', () => {
  it('returns each whole image however the bytes are cut', async () => {
    const images = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map(png));
    const all = Buffer.concat(images);
    for (const step of [1, 7, 33, all.length]) {
      const splitter = new PngSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < all.length; i += step) out.push(...splitter.push(all.subarray(i, i + step)));
      expect(out.map((b) => b.equals(images[out.indexOf(b)]))).toEqual([true, true, true]);
      expect(out).toHaveLength(3);
    }
  });

  it('refuses bytes that are not PNG', () => {
    expect(() => new PngSplitter().push(Buffer.from('not a png at all'))).toThrow(/PNG/);
  });
});
