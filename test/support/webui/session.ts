/// <reference lib="dom" />
/**
 * One WebUI story's session: the built gateway with a worker and the real Redis, and Debian's
 * chromium (playwright-core) on a fresh profile; plus what the steps read the page with.
 * Screenshots go to test-artifacts/webui/; with WEBUI_DOCS_IMAGES=1 the README's three are
 * refreshed in docs/images/ as well.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../chromium';
import { decodeRle } from '@argus/vision';
import { REPO_ROOT, sample, startPlatform, type Platform } from '../platform';

export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'webui');
export const DOC_IMAGES = path.join(REPO_ROOT, 'docs', 'images');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
export const JOB_TIMEOUT_MS = 45_000;
/** Small limits, so the refusals a person can meet are cheap to provoke. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;
export const MAX_PIXELS = 4_000_000;

/** The running platform and browser of one story; set by startWebui, read by every step. */
export const ui = {} as { platform: Platform; context: BrowserContext; page: Page; profile: string };
/** Requests that left the gateway's origin, and console errors: both must stay empty. */
export const offOrigin: string[] = [];
export const consoleErrors: string[] = [];

/** The page's API requests, as `METHOD /path`. */
export const apiRequests: string[] = [];

export function watch(p: Page): void {
  p.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(ui.platform.url)) apiRequests.push(`${request.method()} ${new URL(url).pathname}`);
    if (!url.startsWith(ui.platform.url) && !/^(blob|data):/.test(url)) offOrigin.push(url);
  });
  p.on('console', (message) => {
    // Chromium logs every 4xx answer to fetch(); the refused upload is one on purpose.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      consoleErrors.push(message.text());
  });
  p.on('pageerror', (err) => consoleErrors.push(`${err.name}: ${err.message}`));
}

export async function screenshot(p: Page, name: string, fullPage = true): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await p.screenshot({ path: file, fullPage, animations: 'disabled' });
  return file;
}

/** Copies a screenshot into docs/images as a small palette PNG (the README's pictures). */
export async function docImage(file: string, name: string): Promise<void> {
  if (process.env.WEBUI_DOCS_IMAGES !== '1') return;
  const out = path.join(DOC_IMAGES, name);
  await sharp(file)
    .resize({ width: 1100, withoutEnlargement: true })
    .png({ palette: true, quality: 80, effort: 10, compressionLevel: 9 })
    .toFile(out);
  expect(fs.statSync(out).size).toBeLessThan(300 * 1024);
}

/** Waits until the newest job in the list (the one just submitted) reaches `status`. */
export async function waitForNewest(p: Page, count: number, status: string): Promise<string> {
  await withLogs(
    p.waitForFunction(
      ([n, s]) => {
        const jobs = document.querySelectorAll<HTMLElement>('#job-list .job');
        return jobs.length === n && jobs[0].dataset.status === s;
      },
      [count, status] as const,
      { timeout: JOB_TIMEOUT_MS },
    ),
  );
  return (await p.locator('#job-list .job').first().getAttribute('data-job-id')) ?? '';
}

/** Waits until the listed jobs with these file names all reach `status`. */
export async function waitForNamed(p: Page, names: string[], status: string): Promise<void> {
  await withLogs(
    p.waitForFunction(
      ([wanted, s]) => {
        const jobs = [...document.querySelectorAll<HTMLElement>('#job-list .job')];
        return wanted.every((name) =>
          jobs.some((j) => j.querySelector('.job-name')?.textContent === name && j.dataset.status === s),
        );
      },
      [names, status] as const,
      { timeout: JOB_TIMEOUT_MS },
    ),
  );
}

/** A wait that fails with what the list showed and what the gateway and worker logged. */
export async function withLogs<T>(wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    const jobs = await ui.page
      .locator('#job-list .job')
      .evaluateAll((buttons) => buttons.map((b) => `${b.dataset.status}: ${b.textContent}`))
      .catch(() => []);
    throw new Error(
      `${(err as Error).message}\njobs in the list:\n${jobs.join('\n')}\n${ui.platform.logs()}`,
    );
  }
}

/** Clicks a download button in the result panel and reads what the browser saved. */
export async function download(p: Page, label: string): Promise<{ name: string; bytes: Buffer }> {
  const started = p.waitForEvent('download');
  await p.locator('#result button', { hasText: label }).click();
  const file = await started;
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
}

export async function jobCount(p: Page): Promise<number> {
  return p.locator('#job-list .job').count();
}

/**
 * Mean absolute difference between the overlay and the original canvas over a sample of
 * one person's own pixels (from their RLE mask in the API result).
 */
export async function personDifference(
  p: Page,
  mask: { size: [number, number]; counts: number[] },
): Promise<number> {
  const width = mask.size[1];
  const owned = decodeRle(mask);
  const points: [number, number][] = [];
  for (let i = 0; i < owned.length; i++) if (owned[i]) points.push([i % width, Math.floor(i / width)]);
  const step = Math.max(1, Math.floor(points.length / 3000));
  const sampled = points.filter((_, i) => i % step === 0);
  return p.evaluate(
    ([pts, fullWidth]) => {
      const read = (selector: string) => {
        const canvas = document.querySelector<HTMLCanvasElement>(selector)!;
        return {
          data: canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data,
          canvas,
        };
      };
      const overlay = read('#result canvas.overlay-canvas');
      const original = read('#result canvas.original-canvas');
      const scale = overlay.canvas.width / fullWidth;
      let sum = 0;
      for (const [x, y] of pts) {
        const i = (Math.floor(y * scale) * overlay.canvas.width + Math.floor(x * scale)) * 4;
        for (let c = 0; c < 3; c++) sum += Math.abs(overlay.data[i + c] - original.data[i + c]);
      }
      return sum / (pts.length * 3);
    },
    [sampled, width] as const,
  );
}

export async function renders(p: Page): Promise<number> {
  return Number(await p.locator('#result canvas.overlay-canvas').getAttribute('data-renders'));
}

export async function waitForRender(p: Page, after: number): Promise<void> {
  await p.waitForFunction(
    (n) => Number(document.querySelector('#result canvas.overlay-canvas')?.getAttribute('data-renders')) > n,
    after,
  );
}

/** Starts the platform and the browser, and opens the page once the gateway is ready. */
export async function startWebui(): Promise<void> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  sample('bus.jpg'); // fails with the reason when ../shared is missing
  sample('zidane.jpg');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ui.platform = await startPlatform({
    workers: 1,
    gatewayEnv: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), MAX_PIXELS: String(MAX_PIXELS) },
  });
  ui.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-webui-'));
  // A persistent context on a fresh profile: the page's localStorage and IndexedDB live
  // there across the reload test, and it is deleted afterwards.
  ui.context = await launchChromium(ui.profile, DESKTOP);
  ui.page = ui.context.pages()[0] ?? (await ui.context.newPage());
  watch(ui.page);
  await ui.page.goto(ui.platform.url);
  await ui.page.waitForSelector('#readiness[data-ready="true"]');
}

export async function stopWebui(): Promise<void> {
  await ui.context?.close();
  if (ui.profile) fs.rmSync(ui.profile, { recursive: true, force: true });
  await ui.platform?.stop();
}
