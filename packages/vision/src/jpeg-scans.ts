/**
 * Counts the scans (SOS markers) of a JPEG by walking its marker segments, without decoding.
 * A progressive JPEG's decode cost grows with scans × pixels: libjpeg's standard scripts
 * use up to 10 scans, while a crafted file with thousands of tiny scans is a decode bomb
 * (a 670 KB, 36 MP file with 10,000 scans takes ~30 s to decode).
 *
 * Returns 0 for data that is not a JPEG. Stops at a malformed segment: the decoder will
 * refuse such a file anyway, and what was counted so far is a lower bound.
 */
export function countJpegScans(bytes: Uint8Array): number {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return 0;
  let scans = 0;
  let i = 2;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) return scans;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return scans; // EOI
    // Standalone markers (TEM, RSTn) have no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (length < 2) return scans;
    i += 2 + length;
    if (marker !== 0xda) continue;
    scans++;
    // Entropy-coded data follows SOS: skip to the next marker that is neither a stuffed
    // 0xFF00 nor a restart marker.
    while (i + 1 < bytes.length) {
      if (bytes[i] === 0xff) {
        const next = bytes[i + 1];
        if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) break;
      }
      i++;
    }
  }
  return scans;
}
