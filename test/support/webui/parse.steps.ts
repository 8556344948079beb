/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Steps of the WebUI story in test/webui.browser.test.ts (they run in its order, on one page):
 * Human parsing in the page: overlay, legend, per-person and per-part toggles, opacity, pose,
 * the reveal slider and downloads.
 */
import path from 'node:path';
import sharp from 'sharp';
import { manifestPathFor, readManifest } from '@argus/manifest';
import { REPO_ROOT, SAMPLES } from '../platform';
import {
  ui,
  screenshot,
  docImage,
  waitForNewest,
  download,
  personDifference,
  renders,
  waitForRender,
} from './session';

/** parses zidane.jpg: overlay, legend with face and torso parts, per-person toggles. */
export async function parsesZidane(): Promise<void> {
  const { platform, page } = ui;
  await page.locator('label.segment', { hasText: 'Parse people' }).click();
  await expect(page.locator('#model').inputValue()).resolves.toBe('bodypix-075-sch');
  // The menu lists the server's parse models in the manifest's order.
  const manifest = readManifest(manifestPathFor(path.join(REPO_ROOT, 'models')));
  await expect(
    page
      .locator('#model option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)),
  ).resolves.toEqual(manifest.models.filter((m) => m.task === 'parse').map((m) => m.id));
  await page.setInputFiles('#file-input', path.join(SAMPLES, 'zidane.jpg'));
  const id = await waitForNewest(page, 2, 'completed');
  const api = await platform.get(`/v1/jobs/${id}`);
  const result = api.body.result;
  expect(result.numPersons).toBe(2);

  await page.waitForSelector('#result canvas.overlay-canvas[data-renders]');
  const legend = await page
    .locator('#result .legend li')
    .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-label')));
  expect(legend).toEqual(result.partsDetected);
  expect(legend).toContain('Face');
  expect(legend.some((l) => ['UpperClothes', 'Coat', 'Dress', 'Jumpsuits'].includes(l!))).toBe(true);
  const swatches = await page
    .locator('#result .legend li .swatch')
    .evaluateAll((spans) => spans.map((s) => getComputedStyle(s).backgroundColor));
  const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  expect(swatches).toEqual(
    result.legend.filter((e: { id: number }) => e.id !== 0).map((e: { color: string }) => rgb(e.color)),
  );
  await expect(page.locator('#result input[name=person]').count()).resolves.toBe(2);
  const parseShot = await screenshot(page, 'parse-desktop');
  await docImage(parseShot, 'webui-parse.png');

  // Hiding person 1 leaves the photo untouched where they are; showing them paints it again.
  const person = result.persons[0];
  const coloured = await personDifference(page, person.mask);
  expect(coloured).toBeGreaterThan(10);
  let n = await renders(page);
  await page.locator('#result input[name=person][value="1"]').uncheck();
  await waitForRender(page, n);
  expect(await personDifference(page, person.mask)).toBe(0);
  await screenshot(page, 'parse-person-hidden');
  n = await renders(page);
  await page.locator('#result input[name=person][value="1"]').check();
  await waitForRender(page, n);
  expect(await personDifference(page, person.mask)).toBeCloseTo(coloured, 5);

  // Hiding a part, and the opacity slider, re-blend in the browser too.
  n = await renders(page);
  await page.locator('#result .legend li[data-label="Face"] input').uncheck();
  await waitForRender(page, n);
  n = await renders(page);
  await page.locator('#opacity').fill('0.9');
  await waitForRender(page, n);
  expect(await personDifference(page, person.mask)).toBeGreaterThan(coloured);

  // The pose toggle draws each person's keypoints (red dots) and skeleton from the JSON.
  n = await renders(page);
  await page.locator('#show-pose').check();
  await waitForRender(page, n);
  const nose = person.keypoints[0];
  const dot = await page.evaluate(
    ([x, y]) =>
      Array.from(
        document
          .querySelector<HTMLCanvasElement>('#result canvas.overlay-canvas')!
          .getContext('2d')!
          .getImageData(Math.round(x), Math.round(y), 1, 1).data,
      ),
    [nose.x, nose.y],
  );
  expect(dot.slice(0, 3)).toEqual([255, 40, 40]);
  n = await renders(page);
  await page.locator('#show-pose').uncheck();
  await waitForRender(page, n);

  // The reveal slider shows the original and the overlay in one frame.
  await page.locator('label.segment', { hasText: 'Slider' }).click();
  await page.locator('#reveal').fill('35');
  await expect(page.locator('#result .compare.slider').count()).resolves.toBe(1);
  await screenshot(page, 'parse-slider');
  await expect(
    page.locator('#result button', { hasText: 'Server overlay.png' }).getAttribute('data-link'),
  ).resolves.toBe(api.body.links.overlay);
  const overlay = await download(page, 'Server overlay.png');
  expect(overlay.name).toBe('zidane.server-overlay.png');
  expect(overlay.bytes.subarray(1, 4).toString()).toBe('PNG');
  const shown = await download(page, 'Overlay as shown (PNG)');
  expect((await sharp(shown.bytes).metadata()).width).toBe(result.image.width);
}
