/**
 * `npm run bench:parse`: end-to-end parse latency at light load (one request at a time,
 * through the gateway, the queue and one worker with default settings), the fused default
 * parse model beside BodyPix alone, on a 2-person 1280×720 photo (zidane.jpg) and a 7-person
 * CIHP photo (cihp_val5 0005008). Every request carries distinct bytes, so none is a cache
 * hit. Writes a `## Parse latency` section into bench/RESULTS.md between markers (a full
 * bench run keeps it). `--smoke`: 3 requests per cell instead of 20.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BenchPlatform } from './bench-platform';
import { platformRequest } from './http-load';
import { REPO_ROOT, SHARED, distinctJpeg } from './images';
import { machineInfo } from './proc-stats';
import { fmt, summarize } from './stats';

import { PARSE_BEGIN, PARSE_END } from './parse-latency-markers';

const PHOTOS = [
  {
    name: 'zidane.jpg (2 people, 1280×720)',
    file: path.join(SHARED, 'data', 'samples', 'zidane.jpg'),
    floorMs: 450,
  },
  {
    name: 'CIHP 0005008 (7 people)',
    file: path.join(SHARED, 'data', 'cihp_val5', 'images', '0005008.jpg'),
    floorMs: 700,
  },
];
const MODELS = ['bodypix-075-sch', 'bodypix-075'];

interface Cell {
  photo: string;
  model: string;
  p50: number;
  p95: number;
  inferMs: number;
  floorMs?: number;
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  const runs = smoke ? 3 : 20;
  const platform = new BenchPlatform({ WORKER_TASKS: 'parse', MODELS_DIR: path.join(REPO_ROOT, 'models') });
  const cells: Cell[] = [];
  const nonce = crypto.randomBytes(4).toString('hex');
  try {
    await platform.startGateway();
    await platform.startWorkers(1);
    for (const photo of PHOTOS) {
      if (!fs.existsSync(photo.file)) throw new Error(`${photo.file} is missing (stage ../shared/data)`);
      const bytes = fs.readFileSync(photo.file);
      for (const model of MODELS) {
        const request = platformRequest(platform.url, { task: 'parse', model }, { firstMs: 5, maxMs: 20 });
        const latencies: number[] = [];
        const infer: number[] = [];
        // One warm-up request per cell (first-run allocations), then `runs` measured ones.
        for (let i = 0; i <= runs; i++) {
          const image = {
            name: path.basename(photo.file),
            bytes: distinctJpeg(bytes, `${nonce}-${model}-${i}`),
          };
          const outcome = await request(image, Date.now() + 60_000);
          if (!outcome.ok || outcome.cached)
            throw new Error(`${model} on ${photo.name}: ${outcome.failure ?? 'cached'}`);
          if (i === 0) continue;
          latencies.push(outcome.latencyMs);
          infer.push(outcome.timings?.inferMs ?? 0);
        }
        const s = summarize(latencies);
        const cell: Cell = {
          photo: photo.name,
          model,
          p50: s.p50,
          p95: s.p95,
          inferMs: summarize(infer).p50,
          floorMs: model === MODELS[0] ? photo.floorMs : undefined,
        };
        cells.push(cell);
        process.stdout.write(
          `${photo.name} ${model}: p50 ${fmt(cell.p50, 0)} ms, p95 ${fmt(cell.p95, 0)} ms\n`,
        );
      }
    }
  } finally {
    await platform.close();
  }
  const m = machineInfo();
  const rows = cells.map(
    (c) =>
      `| ${c.photo} | ${c.model} | ${fmt(c.p50, 0)} | ${fmt(c.p95, 0)} | ${fmt(c.inferMs, 0)} | ${
        c.floorMs ? `≤ ${c.floorMs}: ${c.p50 <= c.floorMs ? 'met' : 'NOT met'}` : '–'
      } |`,
  );
  const section = [
    PARSE_BEGIN,
    '## Parse latency',
    '',
    `End to end (submit → completed, through gateway, Redis and one worker with default settings), one request at a time, ${runs} requests per row after one warm-up, distinct bytes each (no cache hits). ${m.cores} cores, load average at start ${m.loadAvgAtStart.join(' ')}.`,
    '',
    '| photo | model | p50 ms | p95 ms | inferMs p50 | floor (p50) |',
    '|---|---|---|---|---|---|',
    ...rows,
    PARSE_END,
  ].join('\n');
  const out = path.join(REPO_ROOT, smoke ? 'test-artifacts/parse-latency-smoke.md' : 'bench/RESULTS.md');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const previous = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  const begin = previous.indexOf(PARSE_BEGIN);
  const end = previous.indexOf(PARSE_END);
  const next =
    begin >= 0 && end > begin
      ? previous.slice(0, begin) + section + previous.slice(end + PARSE_END.length)
      : `${previous.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(out, next);
  process.stdout.write(`written into ${path.relative(REPO_ROOT, out)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`parse latency bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
