import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIME_BY_VIDEO_FORMAT, sniffVideoFormat } from './video-format';

/** Real files from Debian's ffmpeg: two frames of its test pattern in each container. */
function encode(ext: string, codecArgs: string[]): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-sniff-'));
  const out = path.join(dir, `clip.${ext}`);
  try {
    execFileSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=32x32:rate=10:duration=0.2',
        ...codecArgs,
        '-y',
        out,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('sniffVideoFormat', () => {
  it('recognises MP4, MOV, WebM and MKV written by ffmpeg', () => {
    expect(sniffVideoFormat(encode('mp4', ['-c:v', 'mpeg4']))).toBe('mp4');
    expect(sniffVideoFormat(encode('mov', ['-c:v', 'mpeg4']))).toBe('mov');
    expect(sniffVideoFormat(encode('webm', ['-c:v', 'libvpx', '-b:v', '100k']))).toBe('webm');
    expect(sniffVideoFormat(encode('mkv', ['-c:v', 'ffv1']))).toBe('mkv');
  });

  it('recognises a legacy QuickTime file that opens with a moov atom', () => {
    expect(sniffVideoFormat(Buffer.from('\0\0\0\x10moov\0\0\0\0\0\0\0\0'))).toBe('mov');
  });

  it('rejects images, text, other EBML documents and truncated headers', () => {
    expect(sniffVideoFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(sniffVideoFormat(Buffer.from('just a text file named clip.mp4'))).toBeNull();
    expect(
      sniffVideoFormat(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x42, 0x82, 0x84, 0x61, 0x62, 0x63, 0x64])),
    ).toBeNull();
    expect(sniffVideoFormat(Buffer.from('\0\0\0\x18ftyp'))).toBeNull();
    expect(sniffVideoFormat(new Uint8Array([0x1a, 0x45]))).toBeNull();
    expect(sniffVideoFormat(new Uint8Array())).toBeNull();
  });

  it('maps formats to MIME types', () => {
    expect(MIME_BY_VIDEO_FORMAT.mov).toBe('video/quicktime');
    expect(Object.keys(MIME_BY_VIDEO_FORMAT).sort()).toEqual(['mkv', 'mov', 'mp4', 'webm']);
  });
});
