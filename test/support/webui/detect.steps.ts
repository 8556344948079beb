/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Steps of the WebUI story in test/webui.browser.test.ts (they run in its order, on one page):
 * Detection and segmentation in the page: boxes on the canvas, rows that match the API, the
 * confidence slider, downloads, the keyboard, several photos at once (picked, dropped, pasted),
 * instance masks.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { FileChooser } from 'playwright-core';
import { decodeRle } from '@argus/vision';
import { boxColour } from '../../../apps/webui/src/box-colours';
import { SAMPLES } from '../platform';
import {
  ui,
  apiRequests,
  screenshot,
  docImage,
  waitForNewest,
  waitForNamed,
  download,
  jobCount,
} from './session';

/** detects objects in bus.jpg: boxes on the canvas, rows that match the API, a slider that filters. */
export async function detectsBus(): Promise<void> {
  const { platform, page } = ui;
  await page.setInputFiles('#file-input', path.join(SAMPLES, 'bus.jpg'));
  const id = await waitForNewest(page, 1, 'completed');
  // The page followed the job through its event stream, with no status polls.
  expect(apiRequests).toContain(`GET /v1/jobs/${id}/events`);
  expect(apiRequests).not.toContain(`GET /v1/jobs/${id}`);
  const api = await platform.get(`/v1/jobs/${id}`);
  const detections = api.body.result.detections as {
    label: string;
    classId: number;
    confidence: number;
    box: { x1: number; y1: number; x2: number; y2: number };
  }[];
  expect(detections.length).toBeGreaterThanOrEqual(4);

  const canvas = page.locator('#result canvas.result-canvas');
  await expect(canvas.getAttribute('data-boxes')).resolves.toBe(String(detections.length));
  // The boxes are really drawn: at the middle of each box's left edge the canvas holds
  // that class's colour, as in the server's overlay.png.
  const painted = await canvas.evaluate((el: HTMLCanvasElement, dets) => {
    const ctx = el.getContext('2d')!;
    const scale = el.width / 810;
    return dets.map((d) => {
      const [r, g, b] = ctx.getImageData(
        Math.round(d.box.x1 * scale) + 2,
        Math.round(((d.box.y1 + d.box.y2) / 2) * scale),
        1,
        1,
      ).data;
      return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    });
  }, detections);
  const matching = detections.filter((d, i) => painted[i] === boxColour(d.classId));
  expect(matching.length).toBeGreaterThanOrEqual(4);

  const rows = await page.locator('table.detections tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      label: tr.getAttribute('data-label'),
      confidence: Number(tr.getAttribute('data-confidence')),
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
    })),
  );
  expect(rows.map((r) => [r.label, r.confidence])).toEqual(detections.map((d) => [d.label, d.confidence]));
  rows.forEach((row, i) => {
    const { x1, y1, x2, y2 } = detections[i].box;
    expect(row.cells[3]).toBe([x1, y1, x2, y2].map((v) => Math.round(v)).join(', '));
    expect(row.cells[2]).toBe(`${(detections[i].confidence * 100).toFixed(1)}%`);
  });
  const detectShot = await screenshot(page, 'detect-desktop');
  await docImage(detectShot, 'webui-detect.png');

  // Hovering a row picks out its box.
  await page.locator('table.detections tbody tr').nth(1).hover();
  await page.waitForSelector('table.detections tbody tr.highlight[data-index="1"]');
  await screenshot(page, 'detect-hover', false);
  await page.mouse.move(0, 0);

  // The slider hides boxes below it without a new job.
  const before = await jobCount(page);
  await page.locator('#min-confidence').fill('0.8');
  const kept = detections.filter((d) => d.confidence >= 0.8).length;
  expect(kept).toBeLessThan(detections.length);
  await page.waitForFunction(
    (n) => document.querySelector('#result canvas.result-canvas')?.getAttribute('data-boxes') === String(n),
    kept,
  );
  await expect(page.locator('table.detections tbody tr:not([hidden])').count()).resolves.toBe(kept);
  await expect(page.locator('#box-count').textContent()).resolves.toBe(
    `${kept} of ${detections.length} boxes shown`,
  );
  expect(await jobCount(page)).toBe(before);
  await screenshot(page, 'detect-filtered');

  // Downloads: the job as JSON (what GET /v1/jobs/{id} answered) and the picture with its boxes.
  const json = await download(page, 'Result JSON');
  expect(json.name).toBe('bus.detect.json');
  expect(JSON.parse(json.bytes.toString()).result).toEqual(api.body.result);
  const png = await download(page, 'Photo with boxes (PNG)');
  expect(png.name).toBe('bus.boxes.png');
  expect(await sharp(png.bytes).metadata()).toMatchObject({ width: 810, height: 1080, format: 'png' });

  // The curl command reproduces the request through the API.
  await expect(page.locator('#curl-submit').textContent()).resolves.toBe(
    `curl -F task=detect -F model=yolov8n -F confidence=0.25 -F image=@bus.jpg ${platform.url}/v1/jobs`,
  );
}

/** works with the keyboard alone: choose a photo, step through the detections. */
export async function worksWithKeyboard(): Promise<void> {
  const { page } = ui;
  await page.locator('label.segment', { hasText: 'Detect objects' }).click();
  await page.locator('#pick').focus();
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('pick');
  // Enter on the focused button opens the file dialog. On a starved machine Chromium can
  // drop the key's user activation before the handler's `input.click()` runs (seen once in
  // CI, 30 s without a dialog): press it again, still from the keyboard, once.
  let chooser: FileChooser | undefined;
  for (let attempt = 0; attempt < 2 && !chooser; attempt++) {
    const opened = page.waitForEvent('filechooser', { timeout: 15_000 }).catch(() => undefined);
    await page.locator('#pick').press('Enter');
    chooser = await opened;
  }
  expect(chooser).toBeDefined();
  await chooser!.setFiles(path.join(SAMPLES, 'zidane.jpg'));
  await waitForNewest(page, 4, 'completed');
  await page.locator('table.detections tbody tr').first().focus();
  await page.waitForSelector('table.detections tbody tr.highlight[data-index="0"]');
  await page.keyboard.press('Tab');
  await page.waitForSelector('table.detections tbody tr.highlight[data-index="1"]');
  await expect(page.locator('table.detections tbody tr.highlight').count()).resolves.toBe(1);
}

/** takes several photos at once, dropped or pasted ones too, one job each. */
export async function takesSeveralPhotos(): Promise<void> {
  const { page } = ui;
  const small = (width: number) => sharp(path.join(SAMPLES, 'bus.jpg')).resize({ width }).jpeg().toBuffer();
  const [a, b, dropped, pasted] = await Promise.all([160, 170, 180, 190].map(small));
  const before = await jobCount(page);
  await page.setInputFiles('#file-input', [
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: a },
    { name: 'b.jpg', mimeType: 'image/jpeg', buffer: b },
  ]);
  await screenshot(page, 'jobs-in-progress', false); // whatever state they are in by now
  await waitForNamed(page, ['a.jpg', 'b.jpg'], 'completed');

  // What a drop and a paste hand the page: a DataTransfer holding the file.
  const send = (kind: 'drop' | 'paste', name: string, bytes: Buffer) =>
    page.evaluate(
      ([k, n, base64]) => {
        const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([data], n, { type: 'image/jpeg' }));
        const event =
          k === 'drop'
            ? new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
            : new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
        (k === 'drop' ? document.querySelector('#drop-zone')! : document.body).dispatchEvent(event);
      },
      [kind, name, bytes.toString('base64')] as const,
    );
  await send('drop', 'dropped.jpg', dropped);
  await send('paste', 'pasted.jpg', pasted);
  await waitForNamed(page, ['dropped.jpg', 'pasted.jpg'], 'completed');
  expect(await jobCount(page)).toBe(before + 4);
}

/** segments zidane.jpg: each instance mask painted in its own colour, a row per instance. */
export async function segmentsZidane(): Promise<void> {
  const { platform, page } = ui;
  await page.locator('label.segment', { hasText: 'Segment objects' }).click();
  await expect(page.locator('#model').inputValue()).resolves.toBe('yolov8n-seg');
  await expect(page.locator('#confidence').isVisible()).resolves.toBe(true);
  await expect(page.locator('#personConfidence').isVisible()).resolves.toBe(false);
  const jobs = await jobCount(page);
  await page.setInputFiles('#file-input', path.join(SAMPLES, 'zidane.jpg'));
  const id = await waitForNewest(page, Math.min(jobs + 1, 20), 'completed');
  const api = await platform.get(`/v1/jobs/${id}`);
  expect(api.body.task).toBe('segment');
  const instances = api.body.result.instances as {
    label: string;
    mask: { size: [number, number]; counts: number[] };
  }[];
  expect(instances.filter((i) => i.label === 'person').length).toBeGreaterThanOrEqual(2);

  await page.waitForSelector('#result [data-view="segment"] canvas.result-canvas[data-boxes]');
  await expect(page.locator('table.detections tbody tr').count()).resolves.toBe(instances.length);
  // Inside instance 0's mask (away from its edge) the canvas is the photo blended 45 % towards
  // the instance's colour; zidane.jpg is small enough to be drawn at scale 1.
  const { data: photo, info } = await sharp(path.join(SAMPLES, 'zidane.jpg'))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mask = decodeRle(instances[0].mask);
  const w = info.width;
  const inner: [number, number][] = [];
  for (let y = 4; y < info.height - 4 && inner.length < 400; y += 7)
    for (let x = 4; x < w - 4; x += 7)
      if ([0, 3, -3].every((d) => mask[(y + d) * w + x] && mask[y * w + x + d])) inner.push([x, y]);
  expect(inner.length).toBeGreaterThan(50);
  const sampled = inner.filter((_, k) => k % Math.ceil(inner.length / 40) === 0);
  const painted = await page
    .locator('#result canvas.result-canvas')
    .evaluate((el: HTMLCanvasElement, points) => {
      const ctx = el.getContext('2d')!;
      return points.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]);
    }, sampled);
  const colour = [1, 3, 5].map((i) => parseInt(boxColour(0).slice(i, i + 2), 16));
  const close = sampled.filter(([x, y], k) =>
    [0, 1, 2].every((c) => {
      const base = photo[(y * w + x) * 3 + c];
      return Math.abs(painted[k][c] - (base + (colour[c] - base) * 0.45)) <= 24;
    }),
  );
  expect(close.length).toBeGreaterThanOrEqual(Math.floor(sampled.length * 0.8));
  await screenshot(page, 'segment-desktop');
}
