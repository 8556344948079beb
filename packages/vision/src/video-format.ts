export type VideoFormat = 'mp4' | 'mov' | 'webm' | 'mkv';

export const MIME_BY_VIDEO_FORMAT: Record<VideoFormat, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
};

/** QuickTime files written before `ftyp` existed open with one of these atoms instead. */
const LEGACY_QUICKTIME_ATOMS = new Set(['moov', 'wide', 'mdat']);

/**
 * Identifies a video upload by its magic bytes, as `sniffImageFormat` does for images.
 * ISO BMFF (MP4/MOV): an `ftyp` box at offset 4, whose major brand `qt  ` marks QuickTime.
 * Matroska/WebM: the EBML magic `1A 45 DF A3`, told apart by the DocType string in the header.
 */
export function sniffVideoFormat(bytes: Uint8Array): VideoFormat | null {
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp') {
    return ascii(bytes, 8, 12) === 'qt  ' ? 'mov' : 'mp4';
  }
  if (bytes.length >= 8 && LEGACY_QUICKTIME_ATOMS.has(ascii(bytes, 4, 8))) return 'mov';
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    // The DocType element sits in the EBML header, well inside the first 64 bytes.
    const header = ascii(bytes, 4, Math.min(bytes.length, 64));
    if (header.includes('webm')) return 'webm';
    if (header.includes('matroska')) return 'mkv';
  }
  return null;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}
