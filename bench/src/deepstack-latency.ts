/**
 * The DeepStack route as Frigate uses it: one 320×320 JPEG crop at a time (Frigate's
 * default detector timeout is 0.1 s), multipart `image` + `api_key`, answered synchronously.
 * Light load (one client, the next request when the answer arrives), for each model a
 * DeepStack client can name. Every request has distinct bytes, so none is a cache hit.
 */
import sharp from 'sharp';
import { BenchPlatform } from './bench-platform';
import { closedLoop, type Outcome, type Request } from './http-load';
import { ImageFeed, loadImages, type BenchImage } from './images';
import { fmt, quantile, summarize } from './stats';

/** Frigate's default `api_timeout` for the DeepStack detector, seconds. */
export const FRIGATE_TIMEOUT_MS = 100;

export interface DeepStackRow {
  route: string;
  model: string;
  requests: number;
  p50: number;
  p99: number;
  /** Share of answers within Frigate's 0.1 s. */
  withinTimeout: number;
  /** Median `inferenceMs` the answers reported (the model run alone). */
  inferMs: number;
  failures: Record<string, number>;
}

const ROUTES = [
  { route: '/v1/vision/detection', model: 'yolov8n (fp32, 640)' },
  { route: '/v1/vision/custom/yolov8n-int8', model: 'yolov8n-int8 (int8, 640)' },
  { route: '/v1/vision/custom/yolov8n-seg', model: 'yolov8n-seg (int8, 320; boxes only)' },
];

/** 320×320 crops of the coco128 photos (centre crop, as a motion region would be). */
async function crops(count: number): Promise<BenchImage[]> {
  const images = loadImages().slice(0, count);
  return Promise.all(
    images.map(async (image) => ({
      name: image.name,
      bytes: await sharp(image.bytes).resize(320, 320, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer(),
    })),
  );
}

/** A POST shaped like Frigate's: the `api_key` field first, then the file part `image`. */
function deepstackRequest(url: string): Request {
  return async (image, deadline) => {
    const started = performance.now();
    const done = (o: Omit<Outcome, 'latencyMs'>): Outcome => ({
      ...o,
      latencyMs: performance.now() - started,
    });
    const body = new FormData();
    body.append('api_key', '');
    body.append('image', new Blob([new Uint8Array(image.bytes)]), 'image');
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      const answer = (await res.json()) as {
        success?: boolean;
        inferenceMs?: number;
        error?: { code?: string };
      };
      if (res.status !== 200 || answer.success !== true)
        return done({ ok: false, failure: answer.error?.code ?? `http_${res.status}` });
      return done({ ok: true, timings: { inferMs: answer.inferenceMs ?? NaN } });
    } catch (err) {
      const name = (err as Error).name;
      return done({
        ok: false,
        failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
      });
    }
  };
}

export async function measureDeepStack(opts: {
  modelsDir: string;
  warmupMs: number;
  durationMs: number;
  timeoutMs: number;
  say: (message: string) => void;
}): Promise<DeepStackRow[]> {
  const feed = new ImageFeed(await crops(32));
  const platform = new BenchPlatform({
    MODELS_DIR: opts.modelsDir,
    WORKER_TASKS: 'detect,segment',
    WORKER_MODELS: 'yolov8n,yolov8n-int8,yolov8n-seg',
  });
  const rows: DeepStackRow[] = [];
  try {
    await platform.startGateway();
    await platform.startWorkers(1);
    for (const { route, model } of ROUTES) {
      const load = await closedLoop({
        clients: 1,
        warmupMs: opts.warmupMs,
        durationMs: opts.durationMs,
        timeoutMs: opts.timeoutMs,
        request: deepstackRequest(`${platform.url}${route}`),
        next: () => feed.take(),
      });
      const s = summarize(load.latencies);
      const row: DeepStackRow = {
        route,
        model,
        requests: s.count,
        p50: s.p50,
        p99: s.p99,
        withinTimeout: load.latencies.filter((l) => l <= FRIGATE_TIMEOUT_MS).length / Math.max(1, s.count),
        inferMs: quantile(
          load.timings.map((t) => t.inferMs),
          0.5,
        ),
        failures: load.failures,
      };
      rows.push(row);
      opts.say(
        `DeepStack ${route}: ${row.requests} requests, p50 ${fmt(row.p50, 0)} ms, p99 ${fmt(row.p99, 0)} ms, ` +
          `${Math.round(row.withinTimeout * 100)} % within ${FRIGATE_TIMEOUT_MS} ms`,
      );
    }
  } finally {
    await platform.close();
  }
  return rows;
}

/** The section of the bench report. */
export function renderDeepStack(rows: readonly DeepStackRow[]): string {
  const lines = [
    '## DeepStack route latency (Frigate-shaped, 320×320 crops, one client)',
    '',
    `One request at a time, each a distinct 320×320 JPEG (no cache hits), multipart \`image\` + \`api_key\` as Frigate sends them, through gateway → Redis → worker → answer. Frigate's default detector timeout is ${FRIGATE_TIMEOUT_MS} ms.`,
    '',
    '| route | model | requests | p50 ms | p99 ms | within 100 ms | model run ms (median) | failures |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| \`${r.route}\` | ${r.model} | ${r.requests} | ${fmt(r.p50, 0)} | ${fmt(r.p99, 0)} | ${Math.round(r.withinTimeout * 100)} % | ${fmt(r.inferMs, 1)} | ${Object.keys(r.failures).length ? JSON.stringify(r.failures) : '–'} |`,
    ),
  ];
  return lines.join('\n');
}
