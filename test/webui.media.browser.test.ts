/**
 * The WebUI's video and live-stream views in a real browser (Debian's chromium driven by
 * playwright-core) against the real gateway and worker: upload a video, play its annotated
 * MP4 and seek from its track timeline; register a loopback MJPEG camera and watch its boxes
 * drawn over the latest frame as WebSocket events arrive.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from './support/chromium';
import { MjpegServer } from './support/mjpeg-server';
import { SAMPLES, startPlatform, type Platform } from './support/platform';
import { panningVideo, tempDir } from './support/test-videos';

const dir = tempDir('webui-media');
let platform: Platform;
let camera: MjpegServer;
let context: BrowserContext;
let page: Page;
let profile: string;
let clip: string;
const pageErrors: string[] = [];
const sockets: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  clip = panningVideo(dir, path.join(SAMPLES, 'zidane.jpg'), {
    seconds: 4,
    width: 960,
    height: 540,
    pxPerSec: 60,
  });
  const still = path.join(dir, 'still.jpg');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    path.join(SAMPLES, 'zidane.jpg'),
    '-vf',
    'scale=640:360',
    still,
  ]);
  camera = new MjpegServer([fs.readFileSync(still)], 5);
  await camera.start();
  platform = await startPlatform({
    workers: 1,
    env: { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n', STREAM_LEASE_MS: '1500' },
    gatewayEnv: { STREAM_ALLOW_PRIVATE: 'true' },
  });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-webui-media-'));
  context = await launchChromium(profile, { width: 1280, height: 900 });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  page.on('websocket', (ws) => sockets.push(new URL(ws.url()).pathname));
  await page.goto(platform.url);
  await page.waitForSelector('#readiness[data-ready="true"]');
}, 180_000);

afterAll(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  await platform?.stop();
  await camera?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the WebUI video and stream views in chromium', () => {
  it('uploads a video, plays the annotated MP4 and seeks from the track timeline', async () => {
    await page.setInputFiles('#video-file', clip);
    await page.fill('#video-fps', '2');
    await page.click('#video-submit');
    await page.waitForSelector('#video-timeline[data-tracks]', { timeout: 90_000 });
    const jobId = await page.getAttribute('#video-status', 'data-job-id');
    const api = await platform.get(`/v1/jobs/${jobId}`);
    const tracks = api.body.result.tracks as Array<{
      trackId: number;
      firstSeenSec: number;
      lastSeenSec: number;
    }>;
    expect(tracks.length).toBeGreaterThanOrEqual(2);
    // One bar per track of the result, labelled with its id.
    const bars = await page.$$eval('#video-timeline .track-bar', (els) =>
      els.map((e) => Number((e as HTMLElement).dataset.trackId)),
    );
    expect(bars.sort()).toEqual(tracks.map((t) => t.trackId).sort());
    // The annotated MP4 plays in the page (fetched with the key, from a blob: URL).
    const meta = await page.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>('#video-player')!;
        return v.readyState >= 1 && v.src.startsWith('blob:')
          ? { duration: v.duration, w: v.videoWidth }
          : false;
      },
      undefined,
      { timeout: 20_000 },
    );
    const { duration, w } = (await meta.jsonValue()) as { duration: number; w: number };
    expect(duration).toBeGreaterThan(3);
    expect(w).toBe(960);
    // A click at the middle of the longest track's bar seeks into that track's span.
    const longest = [...tracks].sort(
      (a, b) => b.lastSeenSec - b.firstSeenSec - (a.lastSeenSec - a.firstSeenSec),
    )[0];
    await page.click(`#video-timeline .track-bar[data-track-id="${longest.trackId}"]`);
    const time = await page.$eval('#video-player', (v) => (v as HTMLVideoElement).currentTime);
    expect(time).toBeGreaterThanOrEqual(longest.firstSeenSec - 0.01);
    expect(time).toBeLessThanOrEqual(longest.lastSeenSec + 0.01);
    expect(time).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  }, 150_000);

  it('registers a camera and draws its boxes over the latest frame as WebSocket events arrive', async () => {
    await page.fill('#stream-url', camera.url);
    await page.fill('#stream-fps', '2');
    await page.click('#stream-add');
    await page.waitForFunction(
      () => {
        const c = document.querySelector<HTMLCanvasElement>('#stream-canvas')!;
        return Number(c.dataset.frames) >= 3 && Number(c.dataset.boxes) >= 2;
      },
      undefined,
      { timeout: 60_000 },
    );
    const id = await page.getAttribute('#stream-canvas', 'data-stream-id');
    expect(sockets).toContain(`/v1/streams/${id}/events`);
    // The picture is the camera's frame (not a blank canvas), and the boxes are drawn on it:
    // at the middle of a person box's left edge the canvas has the person class's colour.
    const frame = await platform.get(`/v1/streams/${id}`);
    expect(frame.body.state).toBe('live');
    const check = await page.$eval('#stream-canvas', (el) => {
      const c = el as HTMLCanvasElement;
      const ctx = c.getContext('2d')!;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let min = 255;
      let max = 0;
      for (let i = 0; i < data.length; i += 4 * 97) {
        min = Math.min(min, data[i]);
        max = Math.max(max, data[i]);
      }
      return { width: c.width, height: c.height, spread: max - min };
    });
    expect(check).toMatchObject({ width: 640, height: 360 });
    expect(check.spread).toBeGreaterThan(100);
    // The event whose boxes are on the canvas now.
    const drawn = Number(await page.getAttribute('#stream-canvas', 'data-event-seq'));
    const events = (await platform.redis.xrange(`${platform.prefix}:stream:{${id}}:events`, '-', '+')).map(
      ([, f]) => JSON.parse(f[1]),
    );
    const event = events.find((e) => e.seq === drawn);
    const person = event.detections.find((d: any) => d.label === 'person' && d.confidence > 0.6);
    const pixels = await page.$eval(
      '#stream-canvas',
      (el, p) =>
        Array.from((el as HTMLCanvasElement).getContext('2d')!.getImageData(p.x - 1, p.y, 3, 1).data),
      { x: Math.round(person.box.x1), y: Math.round((person.box.y1 + person.box.y2) / 2) },
    );
    // boxColour(0) = #ff3b30 (packages/vision/src/box-colours.ts), on one of the 2 px of the line.
    const distances = [0, 4, 8].map(
      (i) => Math.abs(pixels[i] - 0xff) + Math.abs(pixels[i + 1] - 0x3b) + Math.abs(pixels[i + 2] - 0x30),
    );
    expect(Math.min(...distances)).toBeLessThan(40);

    await page.click(`#stream-list button[data-delete="${id}"]`);
    await page.waitForFunction(
      (sid) => !document.querySelector(`#stream-list [data-stream-id="${sid}"]`),
      id,
    );
    expect((await platform.get(`/v1/streams/${id}`)).status).toBe(404);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
