import sharp from 'sharp';
import { capRenderedPng, renderDetectionOverlay, renderSize } from './detection-overlay';

describe('render caps', () => {
  it('keeps images within the cap and shrinks larger ones, aspect kept', () => {
    expect(renderSize(800, 600, 1_000_000)).toEqual({ width: 800, height: 600, scale: 1 });
    const big = renderSize(7300, 5475, 4_000_000); // a 40 MP photo
    expect(big.width * big.height).toBeLessThanOrEqual(4_000_000);
    expect(big.width / big.height).toBeCloseTo(7300 / 5475, 2);
    expect(big.scale).toBeCloseTo(big.width / 7300, 6);
  });

  it('draws a detection overlay at the capped size, and downscales a rendered PNG', async () => {
    const photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#357' } })
      .jpeg()
      .toBuffer();
    const box = { label: 'person', classId: 0, confidence: 0.9, box: { x1: 100, y1: 100, x2: 600, y2: 800 } };
    const png = await renderDetectionOverlay(photo, [box], { width: 1200, height: 900 }, 120_000);
    const meta = await sharp(png).metadata();
    expect(meta.width * meta.height).toBeLessThanOrEqual(120_000);
    expect(meta.width).toBe(renderSize(1200, 900, 120_000).width);

    const full = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#a00' } })
      .png()
      .toBuffer();
    const capped = await capRenderedPng(full, 1200, 900, 120_000);
    expect(capped.size?.scale).toBeLessThan(1);
    const cm = await sharp(capped.png).metadata();
    expect([cm.width, cm.height]).toEqual([capped.size!.width, capped.size!.height]);
    expect((await capRenderedPng(full, 1200, 900, 2_000_000)).png).toBe(full);
  });
});
