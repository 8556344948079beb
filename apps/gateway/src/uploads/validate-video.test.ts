import { validateVideo } from './validate-video';

/** The first bytes of an MP4 (an `ftyp` box, brand isom) and of a WebM (EBML, DocType webm). */
const MP4 = Buffer.concat([Buffer.from('\0\0\0\x20ftypisom\0\0\x02\0isomiso2mp41'), Buffer.alloc(100)]);
const WEBM = Buffer.from([
  0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d, 0, 0, 0, 0,
]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);

describe('validateVideo', () => {
  it('recognises a video and applies the sampling defaults', () => {
    expect(validateVideo(MP4, 'detect', {}, 1e6)).toMatchObject({
      format: 'mp4',
      options: { fps: 5, maxFrames: 3000 },
    });
    expect(validateVideo(WEBM, 'detect', { fps: '2.5', maxFrames: '10' }, 1e6)?.options).toEqual({
      fps: 2.5,
      maxFrames: 10,
    });
  });

  it('leaves images to the image path', () => {
    expect(validateVideo(JPEG, 'detect', {}, 1e6)).toBeNull();
  });

  it('takes videos for detect and parse; refuses one over MAX_VIDEO_BYTES, and options out of range', () => {
    expect(validateVideo(MP4, 'parse', {}, 1e6)?.format).toBe('mp4');
    expect(() => validateVideo(MP4, 'detect', {}, 50)).toThrow(
      expect.objectContaining({ code: 'payload_too_large' }),
    );
    expect(() => validateVideo(MP4, 'detect', { fps: '120' }, 1e6)).toThrow(/fps/);
    expect(() => validateVideo(MP4, 'detect', { maxFrames: '0' }, 1e6)).toThrow(/maxFrames/);
  });
});
