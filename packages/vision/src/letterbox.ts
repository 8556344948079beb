/**
 * Where an image lands inside a square (or rectangular) model input when it is scaled to
 * fit without distortion and padded. Postprocessing needs exactly this to map boxes back.
 */
export interface Letterbox {
  /** Original (EXIF-oriented) image size. */
  srcWidth: number;
  srcHeight: number;
  /** Model input size. */
  dstWidth: number;
  dstHeight: number;
  /** Scale applied to the source image. */
  scale: number;
  /** Size of the resized image before padding. */
  resizedWidth: number;
  resizedHeight: number;
  padLeft: number;
  padTop: number;
  padRight: number;
  padBottom: number;
}

/**
 * Ultralytics' LetterBox maths (centred, no stride rounding, upscaling allowed): the
 * odd pixel of padding goes to the bottom/right, as `round(d - 0.1)` / `round(d + 0.1)`.
 */
export function computeLetterbox(
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number = dstWidth,
): Letterbox {
  if (!(srcWidth > 0 && srcHeight > 0)) throw new RangeError(`bad source size ${srcWidth}x${srcHeight}`);
  const scale = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  const resizedWidth = Math.min(dstWidth, Math.max(1, Math.round(srcWidth * scale)));
  const resizedHeight = Math.min(dstHeight, Math.max(1, Math.round(srcHeight * scale)));
  const dw = (dstWidth - resizedWidth) / 2;
  const dh = (dstHeight - resizedHeight) / 2;
  const padLeft = Math.round(dw - 0.1);
  const padTop = Math.round(dh - 0.1);
  return {
    srcWidth,
    srcHeight,
    dstWidth,
    dstHeight,
    scale,
    resizedWidth,
    resizedHeight,
    padLeft,
    padTop,
    padRight: dstWidth - resizedWidth - padLeft,
    padBottom: dstHeight - resizedHeight - padTop,
  };
}

/** Maps a box from model-input pixels back to source pixels, clipped to the image. */
export function unletterboxBox(
  box: readonly [number, number, number, number],
  lb: Letterbox,
): [number, number, number, number] {
  const sx = lb.resizedWidth / lb.srcWidth;
  const sy = lb.resizedHeight / lb.srcHeight;
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return [
    clip((box[0] - lb.padLeft) / sx, lb.srcWidth),
    clip((box[1] - lb.padTop) / sy, lb.srcHeight),
    clip((box[2] - lb.padLeft) / sx, lb.srcWidth),
    clip((box[3] - lb.padTop) / sy, lb.srcHeight),
  ];
}
