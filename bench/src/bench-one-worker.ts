/** Parts 2, 4, 5 and 7 of `npm run bench`: the inline baseline, then one worker under every load, its memory and its overload. */
import fs from 'node:fs';
import path from 'node:path';
import { BenchPlatform, startNodeProcess, stopProcess, waitForOutput, type Proc } from './bench-platform';
import { closedLoop, syncDetectRequest, type LoadResult } from './http-load';
import { REPO_ROOT } from './images';
import { CpuWindow, RssSampler } from './proc-stats';
import { sleep, summarize } from './stats';
import { benchWaiting } from './wait-bench';
import { measureVideoJob, renderVideoSection } from './video-bench';
import { loadOpts, measureRun, overload, type BenchContext } from './bench-runs';

export async function benchOneWorker(ctx: BenchContext): Promise<void> {
  const { plan, report, next, say, overBudget, asyncRequest, polling, benchEnv, modelsDir: MODELS_DIR } = ctx;
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

      const detect1 = await measureRun(ctx, platform, 'detect, 1 worker', () =>
        closedLoop({
          ...loadOpts(plan, plan.platform.detectClients, plan.platform.durationMs),
          request: detectReq,
          next,
        }),
      );
      report.platform.push({ ...detect1, task: 'detect' });
      report.memory.detect = detect1.rssPeak;

      if (!overBudget('platform, synchronous /detect')) {
        report.platformSync = await measureRun(ctx, platform, 'detect, 1 worker, sync POST /detect', () =>
          closedLoop({
            ...loadOpts(plan, plan.platform.detectClients, plan.platform.syncDurationMs),
            request: syncDetectRequest(platform.url),
            next,
          }),
        );
      }

      if (!overBudget('parse, 1 worker')) {
        const parse1 = await measureRun(ctx, platform, 'parse, 1 worker', () =>
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
        const measure = (p: BenchPlatform, label: string, run: () => Promise<LoadResult>) =>
          measureRun(ctx, p, label, run);
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
            ctx,
            platform.url,
            polling ? 'platform (submit + poll)' : 'platform (submit + events stream)',
            rate,
            detectReq,
          ),
        );
      }
    }
    await platform.stop();

    if (inline && inlineUrl && !overBudget('inline overload')) {
      const rate = report.overloadRate ?? plan.overload.factor * (report.inline?.load.throughput ?? 1);
      report.overloadRate = rate;
      report.overload.push(
        await overload(ctx, inlineUrl, 'inline (request runs the model)', rate, syncDetectRequest(inlineUrl)),
      );
    }
  } finally {
    await platform.stop();
    if (inline) await stopProcess(inline);
    inline = undefined;
  }
}

/** Part 7's last row: a worker with the default models (all of the manifest's), idle after a warm-up. */
export async function benchDefaultModelsIdle(ctx: BenchContext): Promise<void> {
  const { plan, report, next, say, overBudget, asyncRequest, modelsDir } = ctx;
  if (overBudget('memory, default models')) return;
  const platform = new BenchPlatform({ MODELS_DIR: modelsDir });
  try {
    await platform.startGateway();
    await platform.startWorkers(1);
    const prime = { warmupMs: 0, durationMs: plan.platform.primeMs, timeoutMs: 30_000, next };
    await closedLoop({ ...prime, clients: 4, request: asyncRequest(platform.url, { task: 'detect' }) });
    await closedLoop({ ...prime, clients: 2, request: asyncRequest(platform.url, { task: 'parse' }) });
    await sleep(plan.platform.settleMs);
    const idle = new RssSampler(platform.pids.bind(platform));
    idle.begin();
    report.memory.idleDefaultModels = idle.end().worker;
    say(
      `worker with the default models, idle: ${((report.memory.idleDefaultModels ?? 0) / 2 ** 20).toFixed(0)} MiB`,
    );
  } finally {
    await platform.close();
  }
}
