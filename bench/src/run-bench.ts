/**
 * `npm run bench` (`--smoke` or BENCH_SMOKE=1 for the one-minute CI version): measures how
 * close the platform comes to what the model alone can do on this machine, in one run, and
 * writes the tables to bench/RESULTS.md (smoke: test-artifacts/bench-smoke.md). Starts its
 * own gateway, workers and inline server on 127.0.0.1 under a random KEY_PREFIX, and stops
 * them and deletes the prefix's keys however it ends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@argus/config';
import { BenchPlatform, redisPid } from './bench-platform';
import { FULL_PLAN, SMOKE_PLAN, type BenchPlan } from './bench-plan';
import { benchDefaultModelsIdle, benchOneWorker } from './bench-one-worker';
import type { BenchContext } from './bench-runs';
import { benchGrid, benchTwoWorkers } from './bench-scaling';
import { measureCeiling, type CeilingResult } from './ceiling';
import { clientRequest } from './client-load';
import { measureDeepStack, renderDeepStack } from './deepstack-latency';
import { platformRequest } from './http-load';
import { ImageFeed, REPO_ROOT, loadImages } from './images';
import { PARSE_BEGIN, PARSE_END } from './parse-latency-markers';
import { machineCounters, machineInfo } from './proc-stats';
import { renderReport, type BenchReport, type LoadRun } from './report';
import { BEGIN as SOAK_BEGIN, END as SOAK_END } from './soak-report';

const MODELS_DIR = path.join(REPO_ROOT, 'models');
/** Every setting at its default, to label runs that use them. */
const DEFAULTS = loadConfig({});
const COCO_DIR = path.join(REPO_ROOT, '..', 'shared', 'data', 'coco128', 'images', 'train2017');

function say(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke') || /^(1|true|yes)$/i.test(process.env.BENCH_SMOKE ?? '');
  const base: BenchPlan = smoke ? SMOKE_PLAN : FULL_PLAN;
  // BENCH_POLL_MS: asynchronous clients poll at this interval instead of waiting on the
  // events stream (an experiment knob: what polling costs).
  const polling = process.env.BENCH_POLL_MS !== undefined;
  const plan: BenchPlan = { ...base, pollMs: Number(process.env.BENCH_POLL_MS ?? base.pollMs), polling };
  const poll = { firstMs: plan.pollMs, maxMs: Math.max(plan.pollMs, plan.pollMaxMs) };
  const asyncRequest = (url: string, fields: Record<string, string>) =>
    polling ? platformRequest(url, fields, poll) : clientRequest(url, fields, 'events');
  const outFile = smoke
    ? path.join(REPO_ROOT, 'test-artifacts', 'bench-smoke.md')
    : path.join(REPO_ROOT, 'bench', 'RESULTS.md');
  const began = performance.now();
  const startCounters = machineCounters();
  const report: BenchReport = {
    plan,
    defaults:
      `BATCH_MAX_SIZE=${DEFAULTS.BATCH_MAX_SIZE}, BATCH_MAX_DELAY_MS=${DEFAULTS.BATCH_MAX_DELAY_MS}, ` +
      `BATCH_PREFERRED_SIZES=${DEFAULTS.BATCH_PREFERRED_SIZES.join(',') || '(none)'}, MODEL_INSTANCES=${DEFAULTS.MODEL_INSTANCES}, ` +
      `INTRA_OP_THREADS=${DEFAULTS.INTRA_OP_THREADS} (0 = cores ÷ instances), WORKER_CONCURRENCY=${DEFAULTS.WORKER_CONCURRENCY}`,
    machine: machineInfo(),
    ceiling: [],
    platform: [],
    overload: [],
    grid: [],
    settings: [],
    memory: {},
    skipped: [],
    notes: [],
  };
  const images = loadImages();
  const feed = new ImageFeed(images);
  const next = () => feed.take();
  const overBudget = (part: string) => {
    if (performance.now() - began < plan.budgetMs) return false;
    report.skipped.push(part);
    say(`time budget spent: skipping ${part}`);
    return true;
  };
  say(
    `${plan.mode} run on ${report.machine.cores} cores (${report.machine.cpuModel}), load ${report.machine.loadAvgAtStart.join(' ')}`,
  );

  // ---- 1. Ceiling ------------------------------------------------------------------------
  const shared = {
    modelsDir: MODELS_DIR,
    detectModel: 'yolov8n',
    parseModel: 'bodypix-075',
    images: images.map((i) => path.join(COCO_DIR, i.name)),
    warmupMs: plan.ceiling.warmupMs,
    durationMs: plan.ceiling.durationMs,
  };
  for (const config of [...plan.ceiling.detect, ...plan.ceiling.parse]) {
    if (overBudget(`ceiling ${JSON.stringify(config)}`)) break;
    const result = await measureCeiling(config, shared);
    report.ceiling.push(result);
    say(`ceiling ${describeCeiling(result)}: ${result.imagesPerSec.toFixed(1)} images/s`);
  }

  // ---- 2, 4, 5, 7. One worker: detect, parse, cache hits, overload, memory ----------------
  const redisProbe = new BenchPlatform({});
  const redisServerPid = await redisPid(redisProbe.redis).catch(() => undefined);
  redisProbe.redis.disconnect();
  const benchEnv = {
    MODELS_DIR,
    WORKER_MODELS: 'yolov8n,bodypix-075',
  };
  const ctx: BenchContext = {
    plan,
    report,
    next,
    say,
    overBudget,
    asyncRequest,
    polling,
    benchEnv,
    modelsDir: MODELS_DIR,
    redisServerPid,
  };
  await benchOneWorker(ctx);
  await benchDefaultModelsIdle(ctx);
  await benchTwoWorkers(ctx);

  // ---- 8. The DeepStack route at light load, as Frigate uses it ------------------------------
  if (!overBudget('DeepStack route latency')) {
    const rows = await measureDeepStack({ modelsDir: MODELS_DIR, ...plan.deepstack, say });
    report.notes.push(renderDeepStack(rows));
  }

  await benchGrid(ctx);

  const end = machineCounters();
  const total = end.total - startCounters.total;
  report.machine.stealShare = total > 0 ? (end.steal - startCounters.steal) / total : undefined;
  report.machine.loadAvgAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  report.durationMs = performance.now() - began;

  const markdown = renderReport(report);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const previous = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  fs.writeFileSync(outFile, `${markdown.trimEnd()}\n${keptSections(previous)}`);
  process.stdout.write(`\n${markdown}\n`);
  say(`wrote ${path.relative(REPO_ROOT, outFile)} in ${(report.durationMs / 1000).toFixed(0)} s`);

  // Smoke (CI) checks that every part worked, not how fast.
  const runs = [
    ...report.platform,
    ...[report.platformSync, report.cache, report.inline, report.wait?.events, report.wait?.longPoll].filter(
      (x): x is LoadRun => x !== undefined,
    ),
    ...report.grid.map((g) => g.saturated),
    ...report.settings.flatMap((g) => g.passes.map((p) => p.saturated)),
  ];
  const broken = [
    ...runs.filter((r) => r.load.succeeded === 0).map((r) => r.label),
    ...report.overload.filter((o) => o.load.succeeded === 0).map((o) => o.label),
    ...(report.ceiling.some((c) => !(c.imagesPerSec > 0)) ? ['ceiling'] : []),
    ...(report.wait?.cacheReference && report.wait.cacheReference.load.succeeded === 0
      ? ['cache reference']
      : []),
    ...(report.wait?.light.filter((l) => l.latency.count === 0).map((l) => `light load, ${l.label}`) ?? []),
  ];
  if (broken.length) throw new Error(`no request succeeded in: ${broken.join(', ')}`);
  if (smoke && report.skipped.length)
    throw new Error(`smoke run skipped parts: ${report.skipped.join(', ')}`);
}

function describeCeiling(c: CeilingResult): string {
  return `${c.task} ${c.instances}×${c.intraOpThreads} threads, batch ${c.batch}, in flight ${c.inFlight}`;
}

main().then(
  // Keep-alive sockets of the HTTP client would hold the process open for a while.
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`benchmark failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);

/**
 * Sections of RESULTS.md that other tools write: "Scale-out" (test/scale.test.ts, kept by
 * hand), the soak block (`npm run soak`) and the parse-latency block (`npm run bench:parse`). A bench run rewrites its own parts only.
 */
export function keptSections(previous: string): string {
  const kept: string[] = [];
  const scale = previous.indexOf('## Scale-out');
  if (scale >= 0) {
    const soakAt = previous.indexOf(SOAK_BEGIN, scale);
    kept.push(previous.slice(scale, soakAt > scale ? soakAt : undefined).trimEnd());
  }
  const begin = previous.indexOf(SOAK_BEGIN);
  const end = previous.indexOf(SOAK_END);
  if (begin >= 0 && end > begin) kept.push(previous.slice(begin, end + SOAK_END.length));
  const parseAt = previous.indexOf(PARSE_BEGIN);
  const parseEnd = previous.indexOf(PARSE_END);
  if (parseAt >= 0 && parseEnd > parseAt) kept.push(previous.slice(parseAt, parseEnd + PARSE_END.length));
  return kept.length ? `\n${kept.join('\n\n')}\n` : '';
}
