/**
 * `npm run bench` (`--smoke` or BENCH_SMOKE=1 for the one-minute CI version): measures how
 * close the platform comes to what the model alone can do on this machine, in one run, and
 * writes the tables to bench/RESULTS.md (smoke: test-artifacts/bench-smoke.md). Starts its
 * own gateway, workers and inline server on 127.0.0.1 under a random KEY_PREFIX, and stops
 * them and deletes the prefix's keys however it ends.
 */
import { BEGIN as SOAK_BEGIN, END as SOAK_END } from './soak-report';
import { PARSE_BEGIN, PARSE_END } from './parse-latency-markers';
import fs from 'node:fs';
import { loadConfig } from '@argus/config';
import os from 'node:os';
import path from 'node:path';
import {
  BenchPlatform,
  collectLoopWindows,
  redisPid,
  startNodeProcess,
  stopProcess,
  waitForOutput,
  type Proc,
} from './bench-platform';
import { FULL_PLAN, SMOKE_PLAN, type BenchPlan } from './bench-plan';
import { measureCeiling, type CeilingResult } from './ceiling';
import { measureDeepStack, renderDeepStack } from './deepstack-latency';
import {
  closedLoop,
  syncDetectRequest,
  openLoop,
  platformRequest,
  probe,
  type LoadResult,
  type Request,
} from './http-load';
import { ImageFeed, REPO_ROOT, loadImages, type BenchImage } from './images';
import { clientRequest } from './client-load';
import { benchWaiting } from './wait-bench';
import { CpuWindow, RssSampler, machineCounters, machineInfo } from './proc-stats';
import { renderReport, type BenchReport, type GridCell, type LoadRun, type OverloadRun } from './report';
import { sleep, summarize } from './stats';
import { measureVideoJob, renderVideoSection } from './video-bench';

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
  const measure = async (
    platform: BenchPlatform,
    label: string,
    run: () => Promise<LoadResult>,
    extra: Partial<LoadRun> = {},
  ): Promise<LoadRun> => {
    const pids = () => ({ ...platform.pids(), redis: redisServerPid, 'load generator': process.pid });
    const cpu = new CpuWindow(pids);
    const rss = new RssSampler(platform.pids.bind(platform));
    const loop = collectLoopWindows(platform);
    cpu.begin();
    rss.begin();
    const load = await run();
    const shares = cpu.end();
    const peak = rss.end();
    const windows = await loop.stop();
    const result: LoadRun = {
      label,
      workers: platform.workers.length,
      load,
      latency: summarize(load.latencies),
      cpu: shares,
      rssPeak: peak,
      loop: windows,
      ...extra,
    };
    say(
      `${label}: ${load.throughput.toFixed(1)} images/s, p50 ${result.latency.p50.toFixed(0)} ms, ` +
        `p99 ${result.latency.p99.toFixed(0)} ms, failures ${JSON.stringify(load.failures)}`,
    );
    return result;
  };

  const platform = new BenchPlatform(benchEnv);
  let inline: Proc | undefined;
  let inlineUrl = '';
  const cleanup = async () => {
    if (inline) await stopProcess(inline);
    await platform.close();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    // ---- 4. Inline baseline, capacity (its overload runs after the platform's) --------------
    if (!overBudget('inline baseline')) {
      say('starting the inline baseline server');
      inline = startNodeProcess('inline', path.join(__dirname, 'inline-server.js'), {
        MODELS_DIR,
        MODEL_ID: 'yolov8n',
        INTRA_OP_THREADS: '0',
      });
      inlineUrl = await waitForOutput(inline, /inline listening url=(\S+)/, 60_000);
      const inlinePids = () => ({ inline: inline?.child.pid, 'load generator': process.pid });
      const cpu = new CpuWindow(inlinePids);
      const rss = new RssSampler(inlinePids);
      cpu.begin();
      rss.begin();
      const load = await closedLoop({
        ...loadOpts(plan, plan.platform.detectClients, plan.platform.durationMs),
        request: syncDetectRequest(inlineUrl),
        next,
      });
      report.inline = {
        label: 'inline, closed loop',
        workers: 0,
        load,
        latency: summarize(load.latencies),
        cpu: cpu.end(),
        rssPeak: rss.end(),
        loop: [],
      };
      say(`inline: ${load.throughput.toFixed(1)} images/s, p99 ${report.inline.latency.p99.toFixed(0)} ms`);
      // It stays up, idle (no CPU), for its overload run after the platform's.
    }

    if (!overBudget('one-worker platform')) {
      say('starting gateway and one worker');
      await platform.startGateway();
      await platform.startWorkers(1);
      const detectReq = asyncRequest(platform.url, { task: 'detect' });
      const parseReq = asyncRequest(platform.url, { task: 'parse', model: 'bodypix-075' });
      // Warm both models and JIT, then let the processes settle for the idle reading.
      const prime = { warmupMs: 0, durationMs: plan.platform.primeMs, timeoutMs: 30_000, next };
      await closedLoop({ ...prime, clients: 4, request: detectReq });
      await closedLoop({ ...prime, clients: 2, request: parseReq });
      await sleep(plan.platform.settleMs);
      const idle = new RssSampler(platform.pids.bind(platform));
      idle.begin();
      report.memory.idle = idle.end();

      const detect1 = await measure(platform, 'detect, 1 worker', () =>
        closedLoop({
          ...loadOpts(plan, plan.platform.detectClients, plan.platform.durationMs),
          request: detectReq,
          next,
        }),
      );
      report.platform.push({ ...detect1, task: 'detect' });
      report.memory.detect = detect1.rssPeak;

      if (!overBudget('platform, synchronous /detect')) {
        report.platformSync = await measure(platform, 'detect, 1 worker, sync POST /detect', () =>
          closedLoop({
            ...loadOpts(plan, plan.platform.detectClients, plan.platform.syncDurationMs),
            request: syncDetectRequest(platform.url),
            next,
          }),
        );
      }

      if (!overBudget('parse, 1 worker')) {
        const parse1 = await measure(platform, 'parse, 1 worker', () =>
          closedLoop({
            ...loadOpts(plan, plan.platform.parseClients, plan.platform.parseDurationMs),
            request: parseReq,
            next,
          }),
        );
        report.platform.push({ ...parse1, task: 'parse' });
        report.memory.parse = parse1.rssPeak;
      }

      if (!overBudget('results without polling')) {
        const bus = {
          name: 'bus.jpg',
          bytes: fs.readFileSync(path.join(REPO_ROOT, '..', 'shared', 'data', 'samples', 'bus.jpg')),
        };
        report.wait = await benchWaiting({ platform, plan, next, measure, say, overBudget }, bus);
        report.cache = report.wait.cacheGateway;
      }

      if (!overBudget('video job')) {
        const video = await measureVideoJob(platform.url, plan.mode === 'smoke' ? 12 : 60);
        say(
          `video job: ${video.detectFramesPerSec.toFixed(1)} frames/s detecting, ${video.jobFramesPerSec.toFixed(1)} overall`,
        );
        report.notes.push(renderVideoSection(video, report.ceiling));
      }

      if (!overBudget('platform overload')) {
        // The same offered load for both systems: twice the larger of their capacities.
        const rate =
          plan.overload.factor * Math.max(detect1.load.throughput, report.inline?.load.throughput ?? 0);
        report.overloadRate = rate;
        report.overload.push(
          await overload(
            platform.url,
            polling ? 'platform (submit + poll)' : 'platform (submit + events stream)',
            rate,
            plan,
            detectReq,
            next,
          ),
        );
      }
    }
    await platform.stop();

    if (inline && inlineUrl && !overBudget('inline overload')) {
      const rate = report.overloadRate ?? plan.overload.factor * (report.inline?.load.throughput ?? 1);
      report.overloadRate = rate;
      report.overload.push(
        await overload(
          inlineUrl,
          'inline (request runs the model)',
          rate,
          plan,
          syncDetectRequest(inlineUrl),
          next,
        ),
      );
    }
  } finally {
    await platform.stop();
    if (inline) await stopProcess(inline);
    inline = undefined;
  }

  // ---- 2 (continued). Two worker processes -----------------------------------------------
  const two = new BenchPlatform(benchEnv);
  try {
    if (!overBudget('two workers')) {
      say('starting gateway and two workers (one instance of one thread each)');
      await two.startGateway();
      // One core each: two processes of one single-threaded instance per model.
      await two.startWorkers(2, { MODEL_INSTANCES: '1', INTRA_OP_THREADS: '1' });
      const detectReq = asyncRequest(two.url, { task: 'detect' });
      const parseReq = asyncRequest(two.url, { task: 'parse', model: 'bodypix-075' });
      await closedLoop({
        clients: 4,
        warmupMs: 0,
        durationMs: 1000,
        timeoutMs: 30_000,
        request: parseReq,
        next,
      });
      const detect2 = await measure(two, 'detect, 2 workers', () =>
        closedLoop({
          ...loadOpts(plan, plan.platform.detectClients, plan.platform.durationMs),
          request: detectReq,
          next,
        }),
      );
      report.platform.push({
        ...detect2,
        task: 'detect',
        note: 'MODEL_INSTANCES=1, INTRA_OP_THREADS=1 each',
      });
      if (!overBudget('parse, 2 workers')) {
        const parse2 = await measure(two, 'parse, 2 workers', () =>
          closedLoop({
            ...loadOpts(plan, plan.platform.parseClients, plan.platform.parseDurationMs),
            request: parseReq,
            next,
          }),
        );
        report.platform.push({
          ...parse2,
          task: 'parse',
          note: 'MODEL_INSTANCES=1, INTRA_OP_THREADS=1 each',
        });
      }
    }
  } finally {
    await two.close();
  }

  // ---- 8. The DeepStack route at light load, as Frigate uses it ------------------------------
  if (!overBudget('DeepStack route latency')) {
    const rows = await measureDeepStack({ modelsDir: MODELS_DIR, ...plan.deepstack, say });
    report.notes.push(renderDeepStack(rows));
  }

  // ---- 6. Batching effect and instances ---------------------------------------------------
  const grid = new BenchPlatform({ MODELS_DIR, WORKER_TASKS: 'detect', WORKER_CONCURRENCY: '16' });
  try {
    if (!overBudget('batching grid')) {
      await grid.startGateway();
      const runCell = async (
        label: string,
        workerEnv: Record<string, string>,
        fields: Record<string, string>,
      ) => {
        await grid.startWorkers(1, workerEnv);
        const request = asyncRequest(grid.url, fields);
        const saturated = await measure(grid, label, () =>
          closedLoop({
            clients: plan.platform.detectClients,
            warmupMs: plan.grid.warmupMs,
            durationMs: plan.grid.durationMs,
            timeoutMs: plan.platform.timeoutMs,
            request,
            next,
          }),
        );
        // The synchronous endpoint waits on queue events, so a few ms of delay are visible.
        const light = await closedLoop({
          clients: 2,
          warmupMs: 300,
          durationMs: plan.grid.lightMs,
          timeoutMs: plan.platform.timeoutMs,
          request: syncDetectRequest(grid.url, fields.model ? { model: fields.model } : {}),
          next,
        });
        await grid.stopWorkers();
        return { saturated, light: summarize(light.latencies), lightThroughput: light.throughput };
      };
      outer: for (const maxBatchSize of plan.grid.maxBatchSizes) {
        for (const delay of plan.grid.delaysMs) {
          if (overBudget(`grid maxBatchSize=${maxBatchSize} delay=${delay}`)) break outer;
          const cell = await runCell(
            `yolov8n maxBatchSize ${maxBatchSize}, delay ${delay} ms`,
            {
              WORKER_MODELS: 'yolov8n',
              MODEL_OVERRIDES: `yolov8n:maxBatchSize=${maxBatchSize},maxQueueDelayMs=${delay},instances=1`,
            },
            { task: 'detect' },
          );
          report.grid.push({ maxBatchSize, delayMs: delay, ...cell });
        }
      }
      // Two passes, the second in reverse order, so a machine getting busier or quieter
      // during the run does not favour the settings measured first.
      const passes = [plan.grid.settings, [...plan.grid.settings].reverse()].slice(
        0,
        plan.grid.settingsPasses,
      );
      const results = new Map<string, GridCell[]>();
      outerSettings: for (const pass of passes) {
        for (const setting of pass) {
          if (overBudget(`settings: ${setting.label}`)) break outerSettings;
          const cell = await runCell(
            setting.label,
            {
              WORKER_MODELS: setting.model,
              MODEL_OVERRIDES: setting.overrides,
              WORKER_CONCURRENCY: String(setting.concurrency ?? DEFAULTS.WORKER_CONCURRENCY),
            },
            { task: 'detect', model: setting.model },
          );
          results.set(setting.label, [...(results.get(setting.label) ?? []), cell]);
        }
      }
      for (const setting of plan.grid.settings) {
        const measured = results.get(setting.label);
        if (measured) report.settings.push({ ...setting, passes: measured });
      }
    }
  } finally {
    await grid.close();
  }

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

function loadOpts(plan: BenchPlan, clients: number, durationMs: number) {
  return { clients, warmupMs: plan.platform.warmupMs, durationMs, timeoutMs: plan.platform.timeoutMs };
}

/** Offered load above capacity (open loop) with a /healthz probe beside it. */
async function overload(
  url: string,
  label: string,
  rate: number,
  plan: BenchPlan,
  request: Request,
  next: () => BenchImage,
): Promise<OverloadRun> {
  say(`${label}: offering ${rate.toFixed(1)} images/s for ${plan.overload.durationMs / 1000} s`);
  const health = probe(`${url}/healthz`, 250, plan.overload.timeoutMs);
  const load = await openLoop({
    ratePerSec: rate,
    durationMs: plan.overload.durationMs,
    timeoutMs: plan.overload.timeoutMs,
    request,
    next,
  });
  const probeMs = await health.stop();
  const run: OverloadRun = {
    label,
    offered: rate,
    load,
    latency: summarize(load.latencies),
    health: summarize(probeMs),
  };
  say(
    `${label}: ${load.completed}/${load.sent} answered, ${load.throughput.toFixed(1)} images/s, ` +
      `p99 ${run.latency.p99.toFixed(0)} ms, healthz p99 ${run.health.p99.toFixed(0)} ms, failures ${JSON.stringify(load.failures)}`,
  );
  return run;
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
