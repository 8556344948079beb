/**
 * 20 clearly distinct colours; a class keeps its colour across images (classId mod 20).
 * Dependency-free, so the WebUI draws its boxes with the same colours as `overlay.png`.
 */
const BOX_COLOURS = [
  '#ff3b30',
  '#34c759',
  '#007aff',
  '#ff9500',
  '#af52de',
  '#00c7be',
  '#ff2d55',
  '#5856d6',
  '#ffcc00',
  '#30b0c7',
  '#a2845e',
  '#32ade6',
  '#8e8e93',
  '#ff6482',
  '#66d4cf',
  '#bf5af2',
  '#0a84ff',
  '#ffd60a',
  '#30d158',
  '#ac8e68',
];

export function boxColour(classId: number): string {
  return BOX_COLOURS[classId % BOX_COLOURS.length];
}
