/** What every part of `npm run bench` shares: the plan, the report being filled, and how a load run is measured. */
import { collectLoopWindows, type BenchPlatform } from './bench-platform';
import type { BenchPlan } from './bench-plan';
import { openLoop, probe, type LoadResult, type Request } from './http-load';
import type { BenchImage } from './images';
import { CpuWindow, RssSampler } from './proc-stats';
import type { BenchReport, LoadRun, OverloadRun } from './report';
import { summarize } from './stats';

export interface BenchContext {
  plan: BenchPlan;
  report: BenchReport;
  next: () => BenchImage;
  say: (message: string) => void;
  /** True (and the part is noted as skipped) once the run's time budget is spent. */
  overBudget: (part: string) => boolean;
  /** An asynchronous client: the events stream, or polling when BENCH_POLL_MS is set. */
  asyncRequest: (url: string, fields: Record<string, string>) => Request;
  polling: boolean;
  /** Worker env of the platform parts. */
  benchEnv: Record<string, string>;
  modelsDir: string;
  redisServerPid?: number;
}

/** One load run on `platform` with the CPU, RSS and event-loop figures of its window. */
export async function measureRun(
  ctx: Pick<BenchContext, 'redisServerPid' | 'say'>,
  platform: BenchPlatform,
  label: string,
  run: () => Promise<LoadResult>,
  extra: Partial<LoadRun> = {},
): Promise<LoadRun> {
  const pids = () => ({ ...platform.pids(), redis: ctx.redisServerPid, 'load generator': process.pid });
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
  ctx.say(
    `${label}: ${load.throughput.toFixed(1)} images/s, p50 ${result.latency.p50.toFixed(0)} ms, ` +
      `p99 ${result.latency.p99.toFixed(0)} ms, failures ${JSON.stringify(load.failures)}`,
  );
  return result;
}

export function loadOpts(plan: BenchPlan, clients: number, durationMs: number) {
  return { clients, warmupMs: plan.platform.warmupMs, durationMs, timeoutMs: plan.platform.timeoutMs };
}

/** Offered load above capacity (open loop) with a /healthz probe beside it. */
export async function overload(
  { plan, next, say }: Pick<BenchContext, 'plan' | 'next' | 'say'>,
  url: string,
  label: string,
  rate: number,
  request: Request,
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
