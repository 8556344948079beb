/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * A detection result: the photo with labelled boxes on a canvas, a table of detections,
 * hover (or keyboard focus) to pick out one box, and a confidence slider that filters the
 * boxes the job returned without running it again. A segmentation result is the same view
 * with each instance's mask (decoded from its RLE) painted under its box, instances
 * coloured one by one as in its `overlay.png`.
 */
import type { DetectResult, RleMask } from '@argus/contracts';
import { decodeRle } from '../../../packages/vision/src/rle.js';
import { boxColour } from './box-colours.js';
import { canvasBlob, h, perFrame } from './dom.js';

/** Canvases stay under this many pixels: big photos are drawn scaled, boxes with them. */
const MAX_CANVAS_PIXELS = 4_000_000;

export interface ResultView {
  element: HTMLElement;
  /** The picture as the user sees it now, for "download PNG". */
  png(): Promise<Blob>;
}

export interface DetectViewInput {
  result: DetectResult;
  /** The submitted photo; null when this browser no longer has it. */
  photo: HTMLImageElement | null;
  /** Where the slider starts: the confidence the job was submitted with. */
  minConfidence: number;
  fileName: string;
  /** Segmentation: one mask per detection, in the same order. */
  masks?: readonly RleMask[];
}

/** One instance's mask as a box-sized canvas in its colour, at original resolution. */
interface MaskLayer {
  canvas: HTMLCanvasElement;
  left: number;
  top: number;
}

function maskLayer(mask: RleMask, box: DetectResult['detections'][number]['box'], colour: string): MaskLayer {
  const [height, width] = mask.size;
  const pixels = decodeRle(mask);
  const left = Math.max(0, Math.floor(box.x1));
  const top = Math.max(0, Math.floor(box.y1));
  const w = Math.max(1, Math.min(width, Math.ceil(box.x2)) - left);
  const hgt = Math.max(1, Math.min(height, Math.ceil(box.y2)) - top);
  const canvas = h('canvas');
  canvas.width = w;
  canvas.height = hgt;
  const image = new ImageData(w, hgt);
  const n = parseInt(colour.slice(1), 16);
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      if (!pixels[(top + y) * width + left + x]) continue;
      const p = (y * w + x) * 4;
      image.data[p] = n >> 16;
      image.data[p + 1] = (n >> 8) & 255;
      image.data[p + 2] = n & 255;
      image.data[p + 3] = 255;
    }
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return { canvas, left, top };
}

export function detectView(input: DetectViewInput): ResultView {
  const { result, photo } = input;
  const detections = result.detections;
  const { width: imageWidth, height: imageHeight } = result.image;
  const scale = Math.min(1, Math.sqrt(MAX_CANVAS_PIXELS / (imageWidth * imageHeight)));
  let minConfidence = input.minConfidence;
  let highlight: number | null = null;
  // Instances are told apart by colour (two people, two colours); plain boxes by class.
  const colourOf = (i: number) => (input.masks ? boxColour(i) : boxColour(detections[i].classId));
  const layers = input.masks?.map((m, i) => maskLayer(m, detections[i].box, colourOf(i)));

  const canvas = h('canvas', { class: 'result-canvas', role: 'img' });
  canvas.width = Math.max(1, Math.round(imageWidth * scale));
  canvas.height = Math.max(1, Math.round(imageHeight * scale));
  const ctx = canvas.getContext('2d')!;

  const slider = h('input', {
    type: 'range',
    id: 'min-confidence',
    min: 0,
    max: 1,
    step: 0.01,
    value: minConfidence.toFixed(2),
    'aria-describedby': 'box-count',
  });
  const sliderValue = h('output', { for: 'min-confidence' }, [percent(minConfidence)]);
  const count = h('span', { id: 'box-count', class: 'muted', 'aria-live': 'polite' });

  const rows = detections.map((d, i) => {
    const { x1, y1, x2, y2 } = d.box;
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = colourOf(i);
    const row = h(
      'tr',
      { tabindex: 0, 'data-index': i, 'data-label': d.label, 'data-confidence': d.confidence },
      [
        h('td', { class: 'num' }, [i + 1]),
        h('td', {}, [swatch, d.label]),
        h('td', { class: 'num' }, [percent(d.confidence, 1)]),
        h('td', { class: 'num mono' }, [[x1, y1, x2, y2].map((v) => Math.round(v)).join(', ')]),
        ...(input.masks ? [h('td', { class: 'num' }, [String((d as { area?: number }).area ?? '')])] : []),
      ],
    );
    const pick = () => setHighlight(i);
    const drop = () => setHighlight(null);
    row.addEventListener('mouseenter', pick);
    row.addEventListener('focus', pick);
    row.addEventListener('mouseleave', drop);
    row.addEventListener('blur', drop);
    return row;
  });

  const visible = () => detections.flatMap((d, i) => (d.confidence >= minConfidence - 1e-9 ? [i] : []));

  const draw = () => {
    const shown = visible();
    if (photo) ctx.drawImage(photo, 0, 0, canvas.width, canvas.height);
    else {
      ctx.fillStyle = '#d9dde3';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    const unit = Math.max(1, Math.round(Math.min(canvas.width, canvas.height) / 300));
    const order = highlight === null ? shown : [...shown.filter((i) => i !== highlight), highlight];
    if (layers) {
      for (const i of order) {
        const layer = layers[i];
        ctx.globalAlpha = highlight === null ? 0.45 : highlight === i ? 0.65 : 0.12;
        ctx.drawImage(
          layer.canvas,
          layer.left * scale,
          layer.top * scale,
          layer.canvas.width * scale,
          layer.canvas.height * scale,
        );
      }
      ctx.globalAlpha = 1;
    }
    for (const i of order) {
      if (!shown.includes(i)) continue;
      const d = detections[i];
      const colour = colourOf(i);
      const x = d.box.x1 * scale;
      const y = d.box.y1 * scale;
      const w = (d.box.x2 - d.box.x1) * scale;
      const bh = (d.box.y2 - d.box.y1) * scale;
      const focused = highlight === i;
      ctx.globalAlpha = highlight === null || focused ? 1 : 0.3;
      if (focused) {
        ctx.fillStyle = colour;
        ctx.globalAlpha = 0.18;
        ctx.fillRect(x, y, w, bh);
        ctx.globalAlpha = 1;
      }
      const line = (focused ? 4 : 2) * unit;
      ctx.lineWidth = line;
      ctx.strokeStyle = colour;
      ctx.strokeRect(x + line / 2, y + line / 2, Math.max(0, w - line), Math.max(0, bh - line));
      const text = `${d.label} ${percent(d.confidence)}`;
      ctx.font = `600 ${11 * unit}px system-ui, sans-serif`;
      const textWidth = ctx.measureText(text).width + 8 * unit;
      const tagHeight = 15 * unit;
      const tagY = y >= tagHeight ? y - tagHeight : y;
      // Tags stay inside the picture, so a box at the right edge keeps a readable label.
      const tagX = Math.max(0, Math.min(x, canvas.width - textWidth));
      ctx.fillStyle = colour;
      ctx.fillRect(tagX, tagY, textWidth, tagHeight);
      ctx.fillStyle = readableOn(colour);
      ctx.textBaseline = 'middle';
      ctx.fillText(text, tagX + 4 * unit, tagY + tagHeight / 2 + unit / 2);
    }
    ctx.globalAlpha = 1;
    canvas.dataset.boxes = String(shown.length);
    canvas.setAttribute(
      'aria-label',
      `${input.fileName} with ${shown.length} labelled box${shown.length === 1 ? '' : 'es'}`,
    );
    count.textContent = `${shown.length} of ${detections.length} boxes shown`;
    rows.forEach((row, i) => {
      row.hidden = !shown.includes(i);
      row.classList.toggle('highlight', highlight === i);
    });
  };
  const redraw = perFrame(draw);

  function setHighlight(i: number | null): void {
    if (highlight === i) return;
    highlight = i;
    rows.forEach((row, k) => row.classList.toggle('highlight', k === i));
    redraw();
  }

  slider.addEventListener('input', () => {
    minConfidence = Number(slider.value);
    sliderValue.textContent = percent(minConfidence);
    if (highlight !== null && detections[highlight].confidence < minConfidence) highlight = null;
    redraw();
  });

  // Hovering the picture picks the smallest shown box under the pointer.
  canvas.addEventListener('mousemove', (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * imageWidth;
    const y = ((event.clientY - rect.top) / rect.height) * imageHeight;
    let best: number | null = null;
    let bestArea = Infinity;
    for (const i of visible()) {
      const b = detections[i].box;
      const area = (b.x2 - b.x1) * (b.y2 - b.y1);
      if (x >= b.x1 && x <= b.x2 && y >= b.y1 && y <= b.y2 && area < bestArea) {
        best = i;
        bestArea = area;
      }
    }
    setHighlight(best);
  });
  canvas.addEventListener('mouseleave', () => setHighlight(null));

  draw();

  const table =
    detections.length === 0
      ? h('p', { class: 'empty' }, ['Nothing was found at this confidence.'])
      : h('div', { class: 'table-wrap' }, [
          h('table', { class: 'detections' }, [
            h('caption', { class: 'visually-hidden' }, [input.masks ? 'Instances' : 'Detections']),
            h('thead', {}, [
              h('tr', {}, [
                h('th', { scope: 'col', class: 'num' }, ['#']),
                h('th', { scope: 'col' }, ['Label']),
                h('th', { scope: 'col', class: 'num' }, ['Confidence']),
                h('th', { scope: 'col', class: 'num' }, ['Box x1, y1, x2, y2 (px)']),
                ...(input.masks ? [h('th', { scope: 'col', class: 'num' }, ['Mask (px)'])] : []),
              ]),
            ]),
            h('tbody', {}, rows),
          ]),
        ]);

  const element = h(
    'div',
    { class: 'result-view detect-view', 'data-view': input.masks ? 'segment' : 'detect' },
    [
      h('div', { class: 'toolbar' }, [
        h('div', { class: 'control range' }, [
          h('label', { for: 'min-confidence' }, ['Minimum confidence ', sliderValue]),
          slider,
        ]),
        count,
      ]),
      photo
        ? null
        : h('p', { class: 'note' }, [
            'This browser no longer has the photo, so the boxes are drawn on a blank background.',
          ]),
      h('div', { class: 'stage' }, [canvas]),
      table,
    ],
  );

  return {
    element,
    async png() {
      const saved = highlight;
      highlight = null;
      draw();
      const blob = await canvasBlob(canvas);
      highlight = saved;
      draw();
      return blob;
    },
  };
}

export function percent(p: number, digits = 0): string {
  return `${(p * 100).toFixed(digits)}%`;
}

/** Black or white text, whichever reads better on `hex`. */
function readableOn(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const luminance = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luminance > 150 ? '#111' : '#fff';
}
