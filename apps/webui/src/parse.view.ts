/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * A parsing result: the photo and its overlay side by side or under a reveal slider, the
 * legend of parts found (with their colours), a toggle per person and per part, an opacity
 * slider and, when the result has keypoints, a pose-skeleton toggle. All of it re-blends in the browser from the job's own outputs.
 */
import type { ParseResult } from '@argus/contracts';
import type { ResultView } from './detect.view.js';
import { percent } from './detect.view.js';
import { canvasBlob, h, perFrame } from './dom.js';
import { blend, buildLayers, type ParseLayers } from './parse-layers.js';
// The server's skeleton edges, from the dependency-free pose decoder in packages/vision.
import { COCO_SKELETON } from '../../../packages/vision/src/pose-decode.js';

export interface ParseViewInput {
  result: ParseResult;
  /** The submitted photo; null when this browser no longer has it. */
  photo: HTMLImageElement | null;
  /** `labels.png` of the job; null when it could not be loaded. */
  labelMap: HTMLImageElement | null;
  /** The job's `overlay.png` URL, shown as is when there is nothing to re-blend from. */
  overlayUrl: string | undefined;
  alpha: number;
  fileName: string;
}

type Compare = 'side' | 'slider';

export function parseView(input: ParseViewInput): ResultView {
  const { result } = input;
  const parts = result.legend.filter((entry) => entry.id !== 0);
  const pixelsPerPart = new Map<string, number>();
  for (const person of result.persons)
    for (const part of person.parts)
      pixelsPerPart.set(part.label, (pixelsPerPart.get(part.label) ?? 0) + part.pixels);

  const hiddenPersons = new Set<number>();
  const hiddenParts = new Set<number>();
  const hasPose = result.persons.some((p) => p.keypoints?.length);
  let showPose = false;
  let alpha = input.alpha;
  let compare: Compare = 'side';
  let renders = 0;

  const layers: ParseLayers | null =
    input.photo && input.labelMap ? buildLayers(input.photo, input.labelMap, result) : null;

  const original = h('canvas', {
    class: 'original-canvas',
    role: 'img',
    'aria-label': `${input.fileName}, original`,
  });
  const overlay = h('canvas', {
    class: 'overlay-canvas',
    role: 'img',
    'aria-label': `${input.fileName} with its body parts coloured`,
  });
  const divider = h('div', { class: 'divider', 'aria-hidden': 'true' });
  const reveal = h('input', {
    type: 'range',
    id: 'reveal',
    min: 0,
    max: 100,
    step: 1,
    value: 50,
    'aria-label': 'Reveal: original on the left, overlay on the right',
  });

  const render = () => {
    if (!layers) return;
    const pixels = blend(layers, alpha, hiddenPersons, hiddenParts);
    const ctx = overlay.getContext('2d')!;
    ctx.putImageData(new ImageData(pixels, layers.width, layers.height), 0, 0);
    if (showPose) drawPoses(ctx, result, hiddenPersons, layers.width);
    overlay.dataset.renders = String(++renders);
  };
  const rerender = perFrame(render);

  if (layers) {
    for (const canvas of [original, overlay]) {
      canvas.width = layers.width;
      canvas.height = layers.height;
    }
    original.getContext('2d')!.drawImage(input.photo!, 0, 0, layers.width, layers.height);
    render();
  }

  const figures = layers
    ? h('div', { class: 'compare side' }, [
        h('figure', { class: 'original' }, [original, h('figcaption', {}, ['Original'])]),
        h('figure', { class: 'overlay' }, [overlay, h('figcaption', {}, ['Overlay'])]),
        divider,
      ])
    : h('div', { class: 'compare side' }, [
        h('figure', { class: 'overlay' }, [
          input.overlayUrl
            ? h('img', { src: input.overlayUrl, alt: `${input.fileName} with its body parts coloured` })
            : null,
          h('figcaption', {}, ['Overlay from the server']),
        ]),
      ]);

  const setReveal = () => {
    const at = Number(reveal.value);
    original.style.clipPath = compare === 'slider' ? `inset(0 ${100 - at}% 0 0)` : '';
    divider.style.left = `${at}%`;
  };
  reveal.addEventListener('input', setReveal);

  const compareChoice = (value: Compare, label: string) => {
    const radio = h('input', { type: 'radio', name: 'compare', value, checked: value === compare });
    radio.addEventListener('change', () => {
      compare = value;
      figures.classList.toggle('side', value === 'side');
      figures.classList.toggle('slider', value === 'slider');
      revealControl.hidden = value !== 'slider';
      setReveal();
    });
    return h('label', { class: 'segment' }, [radio, h('span', {}, [label])]);
  };

  const opacity = h('input', {
    type: 'range',
    id: 'opacity',
    min: 0,
    max: 1,
    step: 0.05,
    value: alpha,
    disabled: !layers,
  });
  const opacityValue = h('output', { for: 'opacity' }, [percent(alpha)]);
  opacity.addEventListener('input', () => {
    alpha = Number(opacity.value);
    opacityValue.textContent = percent(alpha);
    rerender();
  });

  const toggle = (name: string, value: number, hidden: Set<number>, children: (Node | string)[]) => {
    const box = h('input', { type: 'checkbox', name, value, checked: true, disabled: !layers });
    box.addEventListener('change', () => {
      if (box.checked) hidden.delete(value);
      else hidden.add(value);
      rerender();
    });
    return h('label', { class: 'toggle' }, [box, ...children]);
  };

  const personToggles = result.persons.map((person) =>
    h('li', {}, [
      toggle('person', person.id, hiddenPersons, [
        h('span', {}, [`Person ${person.id}`]),
        h('span', { class: 'muted' }, [`${percent(person.score)} · ${person.parts.length} parts`]),
      ]),
    ]),
  );
  const partToggles = parts.map((part) => {
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = part.color;
    return h('li', { 'data-label': part.label }, [
      toggle('part', part.id, hiddenParts, [
        swatch,
        h('span', {}, [part.label]),
        h('span', { class: 'muted' }, [`${(pixelsPerPart.get(part.label) ?? 0).toLocaleString('en')} px`]),
      ]),
    ]);
  });
  const setAll = (list: HTMLElement, checked: boolean) => () => {
    for (const box of list.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) {
      if (box.checked !== checked) {
        box.checked = checked;
        box.dispatchEvent(new Event('change'));
      }
    }
  };
  const partList = h('ul', { class: 'legend' }, partToggles);
  const allParts = h('button', { type: 'button', class: 'link', disabled: !layers }, ['All']);
  const noParts = h('button', { type: 'button', class: 'link', disabled: !layers }, ['None']);
  allParts.addEventListener('click', setAll(partList, true));
  noParts.addEventListener('click', setAll(partList, false));

  const poseBox = h('input', { type: 'checkbox', id: 'show-pose', checked: false, disabled: !layers });
  poseBox.addEventListener('change', () => {
    showPose = poseBox.checked;
    rerender();
  });
  const poseControl = hasPose
    ? h('label', { class: 'toggle' }, [poseBox, h('span', {}, ['Pose skeleton'])])
    : null;

  const revealControl = h('div', { class: 'control range', hidden: true }, [
    h('label', { for: 'reveal' }, ['Reveal']),
    reveal,
  ]);

  const element = h('div', { class: 'result-view parse-view', 'data-view': 'parse' }, [
    h('div', { class: 'toolbar' }, [
      layers
        ? h('fieldset', { class: 'segmented' }, [
            h('legend', { class: 'visually-hidden' }, ['Compare']),
            compareChoice('side', 'Side by side'),
            compareChoice('slider', 'Slider'),
          ])
        : null,
      h('div', { class: 'control range' }, [
        h('label', { for: 'opacity' }, ['Overlay opacity ', opacityValue]),
        opacity,
      ]),
      revealControl,
      poseControl,
    ]),
    layers
      ? null
      : h('p', { class: 'note' }, [
          'This browser no longer has the photo, so the server’s overlay is shown and the toggles are off.',
        ]),
    result.persons.length === 0 ? h('p', { class: 'empty' }, ['No people were found in this photo.']) : null,
    figures,
    result.persons.length === 0
      ? null
      : h('div', { class: 'parse-controls' }, [
          h('fieldset', { class: 'persons' }, [h('legend', {}, ['People']), h('ul', {}, personToggles)]),
          h('fieldset', { class: 'parts' }, [
            h('legend', {}, ['Body parts']),
            h('div', { class: 'bulk' }, ['Show ', allParts, ' · ', noParts]),
            partList,
          ]),
        ]),
  ]);
  setReveal();

  return {
    element,
    async png() {
      if (!layers) {
        const res = await fetch(input.overlayUrl ?? '');
        return res.blob();
      }
      return canvasBlob(overlay);
    },
  };
}

/** Draws each shown person's keypoints (score ≥ 0.3) and skeleton onto the overlay canvas. */
function drawPoses(
  ctx: CanvasRenderingContext2D,
  result: ParseResult,
  hidden: Set<number>,
  width: number,
): void {
  const r = Math.max(2, width / 250);
  ctx.lineWidth = r;
  for (const person of result.persons) {
    const kps = person.keypoints;
    if (!kps || hidden.has(person.id)) continue;
    ctx.strokeStyle = '#ffffff';
    for (const [a, b] of COCO_SKELETON) {
      if (kps[a].score < 0.3 || kps[b].score < 0.3) continue;
      ctx.beginPath();
      ctx.moveTo(kps[a].x, kps[a].y);
      ctx.lineTo(kps[b].x, kps[b].y);
      ctx.stroke();
    }
    ctx.fillStyle = '#ff2828';
    for (const k of kps) {
      if (k.score < 0.3) continue;
      ctx.beginPath();
      ctx.arc(k.x, k.y, r * 1.5, 0, Math.PI * 2);
      ctx.fill();
    }
  }
}
