/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Steps of the WebUI story in test/webui.browser.test.ts (they run in its order, on one page):
 * Refusals explained in plain words: a text file named .jpg, too big a file, too many pixels.
 */
import sharp from 'sharp';
import { ui, MAX_UPLOAD_BYTES, screenshot, waitForNewest, waitForNamed } from './session';

/** says in plain words that a text file named .jpg is not an image it can process. */
export async function refusesTextFile(): Promise<void> {
  const { page } = ui;
  await page.setInputFiles('#file-input', {
    name: 'notes.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('These are my notes, not a photo.\n'),
  });
  await waitForNewest(page, 3, 'failed');
  const error = page.locator('#result .error-box');
  await expect(error.getAttribute('data-code')).resolves.toBe('unsupported_media_type');
  await expect(error.textContent()).resolves.toContain('This file is not a JPEG, PNG or WebP image.');
  await expect(error.textContent()).resolves.toContain('HTTP 415');
  await expect(page.locator('#job-list .job').first().textContent()).resolves.toContain('Failed');
  await screenshot(page, 'unsupported-type');
}

/** explains the other refusals in plain words: too big a file, too many pixels. */
export async function explainsOtherRefusals(): Promise<void> {
  const { page } = ui;
  await page.setInputFiles('#file-input', {
    name: 'huge.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.alloc(MAX_UPLOAD_BYTES + 200_000, 0xff),
  });
  await waitForNamed(page, ['huge.jpg'], 'failed');
  let error = page.locator('#result .error-box');
  await expect(error.getAttribute('data-code')).resolves.toBe('payload_too_large');
  await expect(error.textContent()).resolves.toContain('This file is too big to upload.');
  await expect(error.textContent()).resolves.toContain('The largest upload this server accepts is 1 MiB.');
  await screenshot(page, 'payload-too-large', false);

  const wide = await sharp({ create: { width: 2500, height: 2000, channels: 3, background: '#468' } })
    .png()
    .toBuffer();
  await page.setInputFiles('#file-input', { name: 'wide.png', mimeType: 'image/png', buffer: wide });
  await waitForNamed(page, ['wide.png'], 'failed');
  error = page.locator('#result .error-box');
  await expect(error.getAttribute('data-code')).resolves.toBe('image_too_large');
  await expect(error.textContent()).resolves.toContain('This photo has too many pixels to process.');
  await expect(error.textContent()).resolves.toContain('HTTP 422');
}
