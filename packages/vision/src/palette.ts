import { LIP20_LABELS } from './parse-labels';

export type Rgb = readonly [number, number, number];

/**
 * One colour per LIP id: the palette the LIP and CIHP releases draw their label maps with, so
 * our overlays read like the datasets' own figures. Background is black. Every pair of
 * colours differs by at least 34 in some channel and most by far more.
 */
export const LIP20_PALETTE: readonly Rgb[] = [
  [0, 0, 0], // Background
  [128, 0, 0], // Hat
  [255, 0, 0], // Hair
  [0, 85, 0], // Glove
  [170, 0, 51], // Sunglasses
  [255, 85, 0], // UpperClothes
  [0, 0, 85], // Dress
  [0, 119, 221], // Coat
  [85, 85, 0], // Socks
  [0, 85, 85], // Pants
  [85, 51, 0], // Jumpsuits
  [52, 86, 128], // Scarf
  [0, 128, 0], // Skirt
  [0, 0, 255], // Face
  [51, 170, 221], // Left-arm
  [0, 255, 255], // Right-arm
  [85, 255, 170], // Left-leg
  [170, 255, 85], // Right-leg
  [255, 255, 0], // Left-shoe
  [255, 170, 0], // Right-shoe
];

if (LIP20_PALETTE.length !== LIP20_LABELS.length)
  throw new Error('LIP20_PALETTE must have one colour per label');

/** `#rrggbb`, lower case. */
export function hexColour([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The palette as the flat `r,g,b,r,g,b,…` bytes a PNG PLTE chunk holds. */
export function paletteBytes(palette: readonly Rgb[]): Uint8Array {
  const out = new Uint8Array(palette.length * 3);
  palette.forEach((c, i) => out.set(c, i * 3));
  return out;
}
