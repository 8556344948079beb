/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The client side of a parse result: the photo, the label map (`labels.png`) and who owns
 * each pixel (the persons' RLE masks), all at one working size, re-blended with the same
 * `composeOverlay` the worker uses. Hiding a person or a part, or changing the opacity, is
 * a re-blend in the browser, never a new job.
 */
import type { ParseLegendEntry, ParsePerson } from '@argus/contracts';
import { composeOverlay } from '../../../packages/vision/src/overlay.js';
import { decodeRle } from '../../../packages/vision/src/rle.js';

type Rgb = readonly [number, number, number];

/** Working size cap: big photos are re-blended scaled down so sliders stay smooth. */
const MAX_WORK_PIXELS = 2_500_000;

export interface ParseLayers {
  /** Colour per LIP id, from the result's legend (the label PNG's palette). */
  palette: Rgb[];
  width: number;
  height: number;
  /** Photo, RGB. */
  rgb: Uint8Array;
  /** LIP id per pixel. */
  labels: Uint8Array;
  /** Person id per pixel (0 = nobody). */
  owner: Uint8Array;
}

export function workSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, Math.sqrt(MAX_WORK_PIXELS / (width * height)));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function pixelsOf(
  image: CanvasImageSource,
  width: number,
  height: number,
  smooth: boolean,
): Uint8ClampedArray {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  // Label maps must be resampled nearest-neighbour: a blended colour is no label at all.
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(image, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}

/** `#rrggbb` → [r, g, b]. */
export function rgbOf(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16);
  return [n >> 16, (n >> 8) & 255, n & 255];
}

/** Colour per LIP id; ids the legend does not list (none are in the image) stay black. */
export function paletteOf(legend: readonly ParseLegendEntry[]): Rgb[] {
  const palette: Rgb[] = Array.from({ length: 256 }, (): Rgb => [0, 0, 0]);
  for (const entry of legend) palette[entry.id] = rgbOf(entry.color);
  return palette;
}

/**
 * LIP ids from the label PNG's colours. Its palette holds the legend's colours and the
 * legend lists every id in the image, so each colour maps back to one id (the nearest,
 * should a browser ever shift a colour).
 */
export function labelsFromColours(rgba: Uint8ClampedArray, legend: readonly ParseLegendEntry[]): Uint8Array {
  const colours = legend.map((entry) => ({ id: entry.id, rgb: rgbOf(entry.color) }));
  const byColour = new Map<number, number>(
    colours.map(({ id, rgb: [r, g, b] }) => [(r << 16) | (g << 8) | b, id]),
  );
  const nearest = (r: number, g: number, b: number): number => {
    let best = 0;
    let bestDistance = Infinity;
    for (const { id, rgb } of colours) {
      const distance = (rgb[0] - r) ** 2 + (rgb[1] - g) ** 2 + (rgb[2] - b) ** 2;
      if (distance < bestDistance) {
        best = id;
        bestDistance = distance;
      }
    }
    return best;
  };
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) {
    const p = i * 4;
    const colour = (rgba[p] << 16) | (rgba[p + 1] << 8) | rgba[p + 2];
    let id = byColour.get(colour);
    if (id === undefined) {
      id = nearest(rgba[p], rgba[p + 1], rgba[p + 2]);
      byColour.set(colour, id);
    }
    out[i] = id;
  }
  return out;
}

/** Person id per pixel at the working size, from each person's full-size RLE mask. */
export function ownerFromMasks(persons: readonly ParsePerson[], width: number, height: number): Uint8Array {
  const owner = new Uint8Array(width * height);
  for (const person of persons) {
    const [fullHeight, fullWidth] = person.mask.size;
    const mask = decodeRle(person.mask);
    for (let y = 0; y < height; y++) {
      const sy = Math.min(fullHeight - 1, Math.floor(((y + 0.5) * fullHeight) / height));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(fullWidth - 1, Math.floor(((x + 0.5) * fullWidth) / width));
        if (mask[sy * fullWidth + sx]) owner[y * width + x] = person.id;
      }
    }
  }
  return owner;
}

export function buildLayers(
  photo: CanvasImageSource,
  labelMap: CanvasImageSource,
  result: {
    persons: readonly ParsePerson[];
    legend: readonly ParseLegendEntry[];
    image: { width: number; height: number };
  },
): ParseLayers {
  const { persons, legend, image } = result;
  const { width, height } = workSize(image.width, image.height);
  const rgba = pixelsOf(photo, width, height, true);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  const labels = labelsFromColours(pixelsOf(labelMap, width, height, false), legend);
  const owner = ownerFromMasks(persons, width, height);
  return { palette: paletteOf(legend), width, height, rgb, labels, owner };
}

/** The overlay as RGBA, showing only the chosen people and parts. */
export function blend(
  layers: ParseLayers,
  alpha: number,
  hiddenPersons: ReadonlySet<number>,
  hiddenParts: ReadonlySet<number>,
): Uint8ClampedArray<ArrayBuffer> {
  const { width, height, labels, owner } = layers;
  const shown = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== 0 && !hiddenParts.has(label) && !hiddenPersons.has(owner[i])) shown[i] = label;
  }
  const rgb = composeOverlay(layers.rgb, width, height, shown, layers.palette, { alpha, owner });
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgba[i] = rgb[j];
    rgba[i + 1] = rgb[j + 1];
    rgba[i + 2] = rgb[j + 2];
    rgba[i + 3] = 255;
  }
  return rgba;
}
