const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Splits ffmpeg's `image2pipe` PNG output into whole images by walking the chunk lengths up
 * to each IEND, so a live stream needs no probing for its frame size (a one-client MJPEG
 * source would not survive a second connection for ffprobe).
 */
export class PngSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  /** Where the chunk walk of the current image has reached. */
  private offset = SIGNATURE.length;

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      if (this.buffer.length < SIGNATURE.length) return images;
      if (!this.buffer.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
        throw new Error('the frame pipe does not carry PNG images');
      }
      let done = false;
      while (this.offset + 8 <= this.buffer.length) {
        const length = this.buffer.readUInt32BE(this.offset);
        const type = this.buffer.toString('latin1', this.offset + 4, this.offset + 8);
        const end = this.offset + 12 + length;
        if (end > this.buffer.length) break;
        this.offset = end;
        if (type === 'IEND') {
          done = true;
          break;
        }
      }
      if (!done) return images;
      images.push(Buffer.from(this.buffer.subarray(0, this.offset)));
      this.buffer = this.buffer.subarray(this.offset);
      this.offset = SIGNATURE.length;
    }
  }
}

/** Width and height from a PNG's IHDR chunk (always the first, right after the signature). */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
