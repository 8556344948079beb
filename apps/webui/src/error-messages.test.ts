import { humanBytes, plainError } from './error-messages';

describe('errors in plain words', () => {
  it.each([
    [
      413,
      'payload_too_large',
      'the file is larger than 10485760 bytes',
      'This file is too big to upload.',
      'The largest upload this server accepts is 10 MiB.',
    ],
    [
      415,
      'unsupported_media_type',
      'the file is not a JPEG, PNG or WebP image',
      'This file is not a JPEG, PNG or WebP image.',
      'Its contents were checked, not its name. Save the photo as JPEG, PNG or WebP and try again.',
    ],
    [
      422,
      'image_too_large',
      'the image is 9000x9000 (81.0 MP); at most 40.0 MP are accepted',
      'This photo has too many pixels to process.',
      'The image is 9000x9000 (81.0 MP); at most 40.0 MP are accepted',
    ],
    [
      422,
      'invalid_image',
      'the JPEG header cannot be read: bad marker',
      'This image is damaged or cut short, so it cannot be read.',
      'The JPEG header cannot be read: bad marker',
    ],
    [
      503,
      'unavailable',
      'the job store (Redis) is unreachable; try again shortly',
      'The service is unavailable right now. Please try again in a moment.',
      'The job store (Redis) is unreachable; try again shortly. Nothing was queued.',
    ],
    [
      0,
      'network',
      'the gateway did not answer (Failed to fetch)',
      'The server cannot be reached. Check that the gateway is running.',
      'The gateway did not answer (Failed to fetch)',
    ],
    [418, 'teapot', 'short and stout', 'The request failed (HTTP 418).', 'Short and stout'],
  ])('HTTP %i %s', (status, code, message, title, detail) => {
    expect(plainError({ status, code, message })).toEqual({ title, detail });
  });

  it('writes sizes for people', () => {
    expect(humanBytes(512)).toBe('512 bytes');
    expect(humanBytes(1536)).toBe('1.5 KiB');
    expect(humanBytes(10 * 1024 * 1024)).toBe('10 MiB');
  });
});
