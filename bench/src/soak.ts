/**
 * `npm run soak` (`--minutes N`, default 10; `--smoke` or SOAK_SMOKE=1 for the one-minute CI
 * version; `--workers N`, default 1): a bounded soak at a fixed share of measured capacity.
 *
 * 1. Starts its own gateway and workers on 127.0.0.1 against the local Redis, under a random
 *    KEY_PREFIX whose keys are deleted at the end, and warms the result cache.
 * 2. Measures what the traffic mix (soak-traffic.ts: fresh detect and parse jobs, cache hits,
 *    bad inputs) reaches in a closed loop, then sends the same mix in an open loop at
 *    SOAK_LOAD_FACTOR (0.8) of that for the duration.
 * 3. Reports throughput, answers by code, latency and RSS per time window, and RSS of each
 *    process at start and end (medians of the first and the last window, so one GC cycle or
 *    one large image does not decide it). Full runs write the `## Soak` section of bench/RESULTS.md;
 *    smoke runs write test-artifacts/soak-smoke.md.
 *
 * Exits 1 when a request did not end as its kind must (a 5xx, a timeout, a wrong code), a
 * process died, or (full runs) the RSS of the gateway or a worker grew by 10 % or more.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import { BenchPlatform, redisPid } from './bench-platform';
import { ImageFeed, REPO_ROOT, loadImages } from './images';
import { machineInfo, rssBytes } from './proc-stats';
import { growth, renderSoak, writeSoakSection, type RssReading, type SoakReport } from './soak-report';
import {
  cacheImage,
  closedLoopMix,
  openLoopMix,
  sendKind,
  type Outcome,
  type TrafficOptions,
} from './soak-traffic';
import { sleep } from './stats';

const MODELS_DIR = path.join(REPO_ROOT, 'models');
const MAX_GROWTH = 0.1;
const WORKER_CONCURRENCY = 8;

function say(message: string): void {
  process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Plan {
  mode: 'full' | 'smoke';
  durationMs: number;
  windowMs: number;
  /** How often RSS is read. */
  sampleMs: number;
  calibrateMs: number;
  calibrateClients: number;
  loadFactor: number;
  workers: number;
  out: string;
}

function planFromArgs(): Plan {
  const smoke = process.argv.includes('--smoke') || /^(1|true|yes)$/i.test(process.env.SOAK_SMOKE ?? '');
  const minutes = Number(argValue('--minutes') ?? (smoke ? 1 : 10));
  if (!(minutes > 0 && minutes <= 120)) throw new Error(`--minutes must be in (0, 120], got ${minutes}`);
  const workers = Number(argValue('--workers') ?? 1);
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 8)) throw new Error('--workers must be 1–8');
  const loadFactor = Number(process.env.SOAK_LOAD_FACTOR ?? 0.8);
  return {
    mode: smoke ? 'smoke' : 'full',
    durationMs: minutes * 60_000,
    windowMs: smoke ? 10_000 : 60_000,
    sampleMs: smoke ? 1_000 : 5_000,
    calibrateMs: smoke ? 12_000 : 45_000,
    calibrateClients: 8,
    loadFactor,
    workers,
    out:
      argValue('--out') ??
      (smoke
        ? path.join(REPO_ROOT, 'test-artifacts', 'soak-smoke.md')
        : path.join(REPO_ROOT, 'bench', 'RESULTS.md')),
  };
}

async function main(): Promise<void> {
  const plan = planFromArgs();
  const machine = machineInfo();
  say(
    `${plan.mode}: ${plan.durationMs / 60_000} min on ${machine.cores} cores, load ${machine.loadAvgAtStart.join(' ')}`,
  );
  const platform = new BenchPlatform({
    MODELS_DIR,
    WORKER_MODELS: 'yolov8n,bodypix-075',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  });
  const stop = () => void platform.close().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let failed = true;
  try {
    await platform.startGateway();
    await platform.startWorkers(plan.workers);
    const redis = await redisPid(platform.redis).catch(() => undefined);
    const pids = () => ({ ...platform.pids(), redis });
    const readRss = (atMs: number): RssReading => ({
      atMs,
      bytes: Object.fromEntries(
        Object.entries(pids()).map(([name, pid]) => [name, pid ? rssBytes(pid) : undefined]),
      ),
    });

    const feed = new ImageFeed(loadImages());
    const cachedImages = loadImages()
      .slice(0, 8)
      .map((image, i) => cacheImage(image, i));
    const traffic: TrafficOptions = {
      baseUrl: platform.url,
      next: () => feed.take(),
      cachedImages,
      pollMs: 50,
      timeoutMs: 60_000,
    };

    // Warm the cache (and both models) so `cached` requests hit from the first one.
    const t0 = performance.now();
    for (const image of cachedImages) {
      const warm = await sendKind('detect', { ...traffic, next: () => image }, t0);
      if (!warm.ok) throw new Error(`warming the cache failed: ${warm.got}`);
    }
    await sendKind('parse', traffic, t0);

    say(`measuring capacity: ${plan.calibrateClients} closed-loop clients for ${plan.calibrateMs / 1000} s`);
    const calibration = await closedLoopMix({
      clients: plan.calibrateClients,
      durationMs: plan.calibrateMs,
      traffic,
      t0,
    });
    const calibrationBad = calibration.outcomes.filter((o) => !o.ok);
    if (calibrationBad.length)
      say(
        `during calibration, not as expected: ${calibrationBad.map((o) => `${o.kind}: ${o.got}`).join(', ')}`,
      );
    const ratePerSec = calibration.ratePerSec * plan.loadFactor;
    say(`capacity ${calibration.ratePerSec.toFixed(2)} requests/s; soaking at ${ratePerSec.toFixed(2)}/s`);
    await sleep(2_000);

    const soakStart = performance.now();
    const rss: RssReading[] = [readRss(0)];
    const sampler = setInterval(() => rss.push(readRss(performance.now() - soakStart)), plan.sampleMs);
    const outcomes: Outcome[] = [];
    let lastSay = 0;
    const loop = await openLoopMix({
      ratePerSec,
      durationMs: plan.durationMs,
      traffic,
      t0: soakStart,
      onOutcome: (o) => {
        outcomes.push(o);
        if (!o.ok) say(`not as expected: ${o.kind} → ${o.got}`);
        if (performance.now() - lastSay > 30_000) {
          lastSay = performance.now();
          say(`${outcomes.length} ended, ${outcomes.filter((x) => !x.ok).length} not as expected`);
        }
      },
    });
    clearInterval(sampler);
    rss.push(readRss(performance.now() - soakStart));
    const processesAlive = [platform.gateway, ...platform.workers].every(
      (p) => p && p.child.exitCode === null && p.child.signalCode === null,
    );

    const gated = Object.keys(platform.pids());
    const report: SoakReport = {
      mode: plan.mode,
      machine: { ...machine, loadAvgAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      workers: plan.workers,
      workerConcurrency: WORKER_CONCURRENCY,
      capacityPerSec: calibration.ratePerSec,
      ratePerSec,
      loadFactor: plan.loadFactor,
      durationMs: plan.durationMs,
      windowMs: plan.windowMs,
      sampleMs: plan.sampleMs,
      drainMs: loop.drainMs,
      sent: loop.sent,
      outcomes,
      rss,
      gated,
      maxGrowth: MAX_GROWTH,
      processesAlive,
      problems: [],
    };
    const unexpected = outcomes.filter((o) => !o.ok).length;
    if (unexpected) report.problems.push(`${unexpected} requests did not end as expected`);
    const fiveXx = outcomes.filter((o) => o.status >= 500).length;
    if (fiveXx) report.problems.push(`${fiveXx} answers were 5xx`);
    if (outcomes.length !== loop.sent)
      report.problems.push(`${loop.sent - outcomes.length} requests never ended`);
    if (!processesAlive) report.problems.push('a process exited');
    // A one-minute run is mostly warm-up and garbage-collection swings: only full runs gate RSS.
    for (const name of plan.mode === 'full' ? gated : []) {
      const g = growth(report, name);
      if (g !== undefined && g >= MAX_GROWTH)
        report.problems.push(`${name} RSS grew ${(g * 100).toFixed(1)} %`);
    }

    // Formatted as `npm run format:check` expects, so bench/RESULTS.md stays clean.
    const markdown = await prettier.format(renderSoak(report), {
      ...(await prettier.resolveConfig(plan.out)),
      parser: 'markdown',
    });
    fs.mkdirSync(path.dirname(plan.out), { recursive: true });
    if (plan.mode === 'full' || plan.out.endsWith('RESULTS.md')) writeSoakSection(plan.out, markdown);
    else fs.writeFileSync(plan.out, `# Soak (smoke)\n\n${markdown}`);
    process.stdout.write(`\n${markdown}\n`);
    say(`wrote ${path.relative(REPO_ROOT, plan.out)}`);
    failed = report.problems.length > 0;
    if (failed) say(`FAILED: ${report.problems.join('; ')}`);
  } finally {
    await platform.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err: Error) => {
  process.stderr.write(`soak failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
