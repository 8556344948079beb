import sharp from 'sharp';
import { countJpegScans } from './jpeg-scans';

describe('countJpegScans', () => {
  it('counts one scan in a baseline JPEG and several in a progressive one', async () => {
    const base = sharp({
      create: {
        width: 96,
        height: 64,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    });
    const baseline = await base.clone().jpeg({ progressive: false }).toBuffer();
    const progressive = await base.clone().jpeg({ progressive: true }).toBuffer();
    expect(countJpegScans(baseline)).toBe(1);
    // libjpeg's standard progressive script for colour images has 10 scans.
    expect(countJpegScans(progressive)).toBe(10);
  });

  it('answers 0 for other formats and stops at truncated data', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(countJpegScans(png)).toBe(0);
    expect(countJpegScans(Buffer.from([0xff, 0xd8, 0xff]))).toBe(0);
    const progressive = await sharp({
      create: {
        width: 64,
        height: 64,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .jpeg({ progressive: true })
      .toBuffer();
    const half = countJpegScans(progressive.subarray(0, Math.floor(progressive.length / 2)));
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(10);
  });
});
