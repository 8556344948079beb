import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { MIME_BY_FORMAT, sniffImageFormat } from './image-format';

const SAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'samples');

describe('sniffImageFormat', () => {
  it('recognises a real JPEG', () => {
    expect(sniffImageFormat(fs.readFileSync(path.join(SAMPLES, 'bus.jpg')))).toBe('jpeg');
  });

  it('recognises PNG and WebP made by an encoder', async () => {
    const pixels = sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } });
    expect(sniffImageFormat(await pixels.clone().png().toBuffer())).toBe('png');
    expect(sniffImageFormat(await pixels.clone().webp().toBuffer())).toBe('webp');
  });

  it('rejects text, other RIFF files and truncated signatures', () => {
    expect(sniffImageFormat(Buffer.from('just some text, named photo.jpg'))).toBeNull();
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8]))).toBeNull();
    expect(sniffImageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffImageFormat(new Uint8Array())).toBeNull();
  });

  it('maps formats to MIME types', () => {
    expect(MIME_BY_FORMAT).toEqual({ jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' });
  });
});
