/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Steps of the WebUI story in test/webui.browser.test.ts (they run in its order, on one page):
 * What the page is: served with a CSP that allows nothing from another origin, its history
 * across a reload, an API key sent as a Bearer token, a phone-sized screen, and nothing
 * fetched from another origin or logged as an error over the whole story.
 */
import path from 'node:path';
import { SAMPLES } from '../platform';
import {
  ui,
  PHONE,
  offOrigin,
  consoleErrors,
  watch,
  screenshot,
  docImage,
  waitForNewest,
  jobCount,
} from './session';

/** is served at / with a CSP that allows nothing from another origin. */
export async function servedWithStrictCsp(): Promise<void> {
  const { platform } = ui;
  const res = await fetch(`${platform.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).not.toMatch(/https?:|\*/);
  expect(res.headers.get('cache-control')).toBe('no-cache');
  const html = await res.text();
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

  // One bundle (esbuild) with its sourcemap, served by exact name: no extension guessing.
  expect(html).toContain('<script type="module" src="/ui/main.js"></script>');
  const script = await fetch(`${platform.url}/ui/main.js`);
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/javascript/);
  expect(script.headers.get('cache-control')).toBe('no-cache');
  expect((await fetch(`${platform.url}/ui/main.js.map`)).status).toBe(200);
  expect((await fetch(`${platform.url}/ui/main`)).status).toBe(404);
  expect((await fetch(`${platform.url}/ui/nothing-here.js`)).status).toBe(404);
}

/** keeps the history across a reload and draws an earlier result again. */
export async function keepsHistoryAcrossReload(): Promise<void> {
  const { page } = ui;
  await page.reload();
  await page.waitForSelector('#job-list .job');
  const listed = await page
    .locator('#job-list .job')
    .evaluateAll((buttons) =>
      buttons.map((b) => [b.querySelector('.job-name')?.textContent, b.getAttribute('data-status')]),
    );
  expect(listed).toEqual([
    ['notes.jpg', 'failed'],
    ['zidane.jpg', 'completed'],
    ['bus.jpg', 'completed'],
  ]);
  await page.locator('#job-list .job', { hasText: 'bus.jpg' }).click();
  await page.waitForSelector('#result canvas.result-canvas[data-boxes]');
  await expect(page.locator('#result .note').count()).resolves.toBe(0); // the photo came back from IndexedDB
  await expect(page.locator('#min-confidence').inputValue()).resolves.toBe('0.25');
  await screenshot(page, 'history-after-reload');
}

/** sends an API key, when one is given, as a Bearer token (and only a placeholder in curl). */
export async function sendsApiKey(): Promise<void> {
  const { page } = ui;
  await page.locator('details.advanced summary').click();
  await page.locator('#api-key').fill('webui-test-key');
  const submitted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/jobs'));
  await page.setInputFiles('#file-input', path.join(SAMPLES, 'bus.jpg'));
  expect((await submitted).headers().authorization).toBe('Bearer webui-test-key');
  await waitForNewest(page, await jobCount(page), 'completed');
  await expect(page.locator('#curl-submit').textContent()).resolves.toMatch(
    /^curl -H "Authorization: Bearer \$ARGUS_API_KEY" -F task=detect /,
  );
  await expect(page.locator('body').textContent()).resolves.not.toContain('webui-test-key');
  await page.locator('#api-key').fill('');
  await page.locator('details.advanced summary').click();
}

/** fits a phone-sized screen. */
export async function fitsPhoneScreen(): Promise<void> {
  const { platform, context } = ui;
  const phone = await context.newPage();
  watch(phone);
  await phone.setViewportSize(PHONE);
  await phone.goto(platform.url);
  await phone.locator('#job-list .job', { hasText: 'zidane.jpg' }).last().click();
  await phone.waitForSelector('#result canvas.overlay-canvas[data-renders]');
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width);
  const box = await phone.locator('#result canvas.overlay-canvas').boundingBox();
  expect(box!.width).toBeLessThanOrEqual(PHONE.width);
  // Tapping a job scrolls its result into view, as a person on a phone sees it.
  await phone.waitForFunction(
    () => Math.abs(document.querySelector('#result')!.getBoundingClientRect().top) < 2,
  );
  const phoneShot = await screenshot(phone, 'phone-parse', false);
  await docImage(phoneShot, 'webui-phone.png');
  await screenshot(phone, 'phone-parse-full');
  await phone.evaluate(() => window.scrollTo(0, 0));
  await screenshot(phone, 'phone-top', false);
  await phone.locator('#job-list .job', { hasText: 'bus.jpg' }).first().click();
  await phone.waitForSelector('#result canvas.result-canvas[data-boxes]');
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await screenshot(phone, 'phone-detect');
  await phone.close();
}

/** fetched nothing from another origin and logged no errors. */
export function fetchedNothingElsewhere(): void {
  expect(offOrigin).toEqual([]);
  expect(consoleErrors).toEqual([]);
}
