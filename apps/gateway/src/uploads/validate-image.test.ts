import sharp from 'sharp';
import { AppError } from '@argus/contracts';
import { validateImage } from './validate-image';

const photo = (width: number, height: number) =>
  sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  });

describe('validateImage: JPEG decode cost', () => {
  it('refuses more scans than allowed, and scans × pixels above the budget', async () => {
    const progressive = await photo(400, 300).jpeg({ progressive: true }).toBuffer(); // 10 scans
    await expect(validateImage(progressive, 40e6, { maxJpegScans: 9 })).rejects.toMatchObject({
      code: 'image_too_complex',
      message: expect.stringMatching(/10 scans; at most 9/),
    });
    // 10 scans × 0.12 MP = 1.2 M scan-pixels.
    await expect(validateImage(progressive, 40e6, { maxJpegScanPixels: 1_000_000 })).rejects.toBeInstanceOf(
      AppError,
    );
    const ok = await validateImage(progressive, 40e6, { maxJpegScans: 64, maxJpegScanPixels: 1_300_000 });
    expect(ok.header).toMatchObject({ format: 'jpeg', width: 400, height: 300 });
  });

  it('does not count scans of other formats', async () => {
    const png = await photo(400, 300).png().toBuffer();
    await expect(validateImage(png, 40e6, { maxJpegScans: 1, maxJpegScanPixels: 1 })).resolves.toBeDefined();
  });
});
