/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The WebUI in a real browser: Debian's chromium, driven by playwright-core, against the
 * built gateway, a worker and the real Redis. A person's path through the page: detect on
 * bus.jpg, parse on zidane.jpg, a text file named .jpg, a reload, a phone-sized screen and
 * the keyboard. Screenshots of each state go to test-artifacts/webui/; with
 * WEBUI_DOCS_IMAGES=1 the README's three are refreshed in docs/images/ as well.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { manifestPathFor, readManifest } from '@argus/manifest';
import { decodeRle } from '@argus/vision';
import { boxColour } from '../apps/webui/src/box-colours';
import { REPO_ROOT, SAMPLES, sample, startPlatform, type Platform } from './support/platform';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'webui');
const DOC_IMAGES = path.join(REPO_ROOT, 'docs', 'images');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const JOB_TIMEOUT_MS = 45_000;
/** Small limits, so the refusals a person can meet are cheap to provoke. */
const MAX_UPLOAD_BYTES = 1024 * 1024;
const MAX_PIXELS = 4_000_000;

let platform: Platform;
let context: BrowserContext;
let page: Page;
let profile: string;
/** Requests that left the gateway's origin, and console errors: both must stay empty. */
const offOrigin: string[] = [];
const consoleErrors: string[] = [];

/** The page's API requests, as `METHOD /path`. */
const apiRequests: string[] = [];

function watch(p: Page): void {
  p.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(platform.url)) apiRequests.push(`${request.method()} ${new URL(url).pathname}`);
    if (!url.startsWith(platform.url) && !/^(blob|data):/.test(url)) offOrigin.push(url);
  });
  p.on('console', (message) => {
    // Chromium logs every 4xx answer to fetch(); the refused upload is one on purpose.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      consoleErrors.push(message.text());
  });
  p.on('pageerror', (err) => consoleErrors.push(`${err.name}: ${err.message}`));
}

async function screenshot(p: Page, name: string, fullPage = true): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await p.screenshot({ path: file, fullPage, animations: 'disabled' });
  return file;
}

/** Copies a screenshot into docs/images as a small palette PNG (the README's pictures). */
async function docImage(file: string, name: string): Promise<void> {
  if (process.env.WEBUI_DOCS_IMAGES !== '1') return;
  const out = path.join(DOC_IMAGES, name);
  await sharp(file)
    .resize({ width: 1100, withoutEnlargement: true })
    .png({ palette: true, quality: 80, effort: 10, compressionLevel: 9 })
    .toFile(out);
  expect(fs.statSync(out).size).toBeLessThan(300 * 1024);
}

/** Waits until the newest job in the list (the one just submitted) reaches `status`. */
async function waitForNewest(p: Page, count: number, status: string): Promise<string> {
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
async function waitForNamed(p: Page, names: string[], status: string): Promise<void> {
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
async function withLogs<T>(wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    const jobs = await page
      .locator('#job-list .job')
      .evaluateAll((buttons) => buttons.map((b) => `${b.dataset.status}: ${b.textContent}`))
      .catch(() => []);
    throw new Error(`${(err as Error).message}\njobs in the list:\n${jobs.join('\n')}\n${platform.logs()}`);
  }
}

/** Clicks a download button in the result panel and reads what the browser saved. */
async function download(p: Page, label: string): Promise<{ name: string; bytes: Buffer }> {
  const started = p.waitForEvent('download');
  await p.locator('#result button', { hasText: label }).click();
  const file = await started;
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
}

async function jobCount(p: Page): Promise<number> {
  return p.locator('#job-list .job').count();
}

/**
 * Mean absolute difference between the overlay and the original canvas over a sample of
 * one person's own pixels (from their RLE mask in the API result).
 */
async function personDifference(
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

async function renders(p: Page): Promise<number> {
  return Number(await p.locator('#result canvas.overlay-canvas').getAttribute('data-renders'));
}

async function waitForRender(p: Page, after: number): Promise<void> {
  await p.waitForFunction(
    (n) => Number(document.querySelector('#result canvas.overlay-canvas')?.getAttribute('data-renders')) > n,
    after,
  );
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  sample('bus.jpg'); // fails with the reason when ../shared is missing
  sample('zidane.jpg');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  platform = await startPlatform({
    workers: 1,
    gatewayEnv: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), MAX_PIXELS: String(MAX_PIXELS) },
  });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-webui-'));
  // A persistent context on a fresh profile: the page's localStorage and IndexedDB live
  // there across the reload test, and it is deleted afterwards.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: DESKTOP,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  await page.goto(platform.url);
  await page.waitForSelector('#readiness[data-ready="true"]');
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  await platform?.stop();
});

describe('the WebUI in chromium', () => {
  it('is served at / with a CSP that allows nothing from another origin', async () => {
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
  });

  it('detects objects in bus.jpg: boxes on the canvas, rows that match the API, a slider that filters', async () => {
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
  });

  it('parses zidane.jpg: overlay, legend with face and torso parts, per-person toggles', async () => {
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
  });

  it('says in plain words that a text file named .jpg is not an image it can process', async () => {
    await page.setInputFiles('#file-input', {
      name: 'notes.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('These are my notes, not a photo.\n'),
    });
    await waitForNewest(page, 3, 'failed');
    const error = page.locator('#result .error-box');
    await expect(error.getAttribute('data-code')).resolves.toBe('unsupported_media_type');
    await expect(error.textContent()).resolves.toContain('This file is not a JPEG, PNG or WebP image.');
    await expect(error.textContent()).resolves.toContain('HTTP 415');
    await expect(page.locator('#job-list .job').first().textContent()).resolves.toContain('Failed');
    await screenshot(page, 'unsupported-type');
  });

  it('keeps the history across a reload and draws an earlier result again', async () => {
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
  });

  it('works with the keyboard alone: choose a photo, step through the detections', async () => {
    await page.locator('label.segment', { hasText: 'Detect objects' }).click();
    await page.locator('#pick').focus();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pick');
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Enter');
    await (await chooser).setFiles(path.join(SAMPLES, 'zidane.jpg'));
    await waitForNewest(page, 4, 'completed');
    await page.locator('table.detections tbody tr').first().focus();
    await page.waitForSelector('table.detections tbody tr.highlight[data-index="0"]');
    await page.keyboard.press('Tab');
    await page.waitForSelector('table.detections tbody tr.highlight[data-index="1"]');
    await expect(page.locator('table.detections tbody tr.highlight').count()).resolves.toBe(1);
  });

  it('takes several photos at once, dropped or pasted ones too, one job each', async () => {
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
  });

  it('explains the other refusals in plain words: too big a file, too many pixels', async () => {
    await page.setInputFiles('#file-input', {
      name: 'huge.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.alloc(MAX_UPLOAD_BYTES + 200_000, 0xff),
    });
    await waitForNamed(page, ['huge.jpg'], 'failed');
    let error = page.locator('#result .error-box');
    await expect(error.getAttribute('data-code')).resolves.toBe('payload_too_large');
    await expect(error.textContent()).resolves.toContain('This file is too big to upload.');
    await expect(error.textContent()).resolves.toContain('The largest upload this server accepts is 1 MiB.');
    await screenshot(page, 'payload-too-large', false);

    const wide = await sharp({ create: { width: 2500, height: 2000, channels: 3, background: '#468' } })
      .png()
      .toBuffer();
    await page.setInputFiles('#file-input', { name: 'wide.png', mimeType: 'image/png', buffer: wide });
    await waitForNamed(page, ['wide.png'], 'failed');
    error = page.locator('#result .error-box');
    await expect(error.getAttribute('data-code')).resolves.toBe('image_too_large');
    await expect(error.textContent()).resolves.toContain('This photo has too many pixels to process.');
    await expect(error.textContent()).resolves.toContain('HTTP 422');
  });

  it('sends an API key, when one is given, as a Bearer token (and only a placeholder in curl)', async () => {
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
  });

  it('fits a phone-sized screen', async () => {
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
  });

  it('segments zidane.jpg: each instance mask painted in its own colour, a row per instance', async () => {
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
  });

  it('fetched nothing from another origin and logged no errors', () => {
    expect(offOrigin).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
