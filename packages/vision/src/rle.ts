// Hot loops use module-level aliases: under jest every test file runs in a vm context where
// each global lookup (`Math`, `Infinity`) goes through an interceptor, ~100× slower per pixel.
const { floor: mathFloor } = Math;

/**
 * COCO run-length encoding of a binary mask, in its uncompressed form: pixels are read in
 * column-major (Fortran) order, top to bottom then left to right, and `counts` alternates run
 * lengths starting with a run of zeros (0 when the first pixel is set). This is what
 * pycocotools accepts as `{"size": [h, w], "counts": [...]}` (`mask.frPyObjects`); the
 * compressed string form is not used because JSON numbers are easier for clients to read
 * and the masks here are small.
 */
export interface Rle {
  /** [height, width], COCO's order. */
  size: [number, number];
  counts: number[];
}

/** Inclusive-exclusive pixel bounds: columns x1…x2-1, rows y1…y2-1. */
export interface PixelBounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface RleOptions {
  /** A pixel is set when it equals this value. Default: when it is non-zero. */
  value?: number;
  /**
   * Pixels outside these bounds are known to be unset; only the inside is scanned. The
   * output is the same as without bounds.
   */
  bounds?: PixelBounds;
}

/** Encodes a row-major `width`×`height` mask (see `Rle`). */
export function encodeRle(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  opts: RleOptions = {},
): Rle {
  if (mask.length < width * height)
    throw new RangeError(`mask has ${mask.length} values, expected ${width * height}`);
  const counts: number[] = [];
  const b = opts.bounds ?? { x1: 0, y1: 0, x2: width, y2: height };
  const x1 = clampInt(b.x1, 0, width);
  const x2 = clampInt(b.x2, x1, width);
  const y1 = clampInt(b.y1, 0, height);
  const y2 = clampInt(b.y2, y1, height);
  const target = opts.value;
  let current = 0; // value of the run being counted
  let run = 0;
  const zeros = (n: number) => {
    if (n <= 0) return;
    if (current === 1) {
      counts.push(run);
      run = 0;
      current = 0;
    }
    run += n;
  };
  zeros(x1 * height); // whole columns left of the bounds
  for (let x = x1; x < x2; x++) {
    zeros(y1); // rows above the bounds
    for (let y = y1; y < y2; y++) {
      const v = mask[y * width + x];
      const set = target === undefined ? v !== 0 : v === target;
      if ((set ? 1 : 0) !== current) {
        counts.push(run);
        run = 0;
        current ^= 1;
      }
      run++;
    }
    zeros(height - y2); // rows below the bounds
  }
  zeros((width - x2) * height); // whole columns right of the bounds
  counts.push(run);
  return { size: [height, width], counts };
}

/** The row-major 0/1 mask of an `Rle`. */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const out = new Uint8Array(width * height);
  let pos = 0;
  let value = 0;
  for (const count of rle.counts) {
    if (value === 1) {
      for (let i = pos; i < pos + count; i++) {
        const x = mathFloor(i / height);
        const y = i - x * height;
        out[y * width + x] = 1;
      }
    }
    pos += count;
    value ^= 1;
  }
  if (pos !== width * height)
    throw new RangeError(`RLE counts cover ${pos} pixels, the size says ${width * height}`);
  return out;
}

/** Number of set pixels. */
export function rleArea(rle: Rle): number {
  let area = 0;
  for (let i = 1; i < rle.counts.length; i += 2) area += rle.counts[i];
  return area;
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(Math.round(v), lo), hi);
}
