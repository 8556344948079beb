/**
 * Results without polling, measured beside the rest of the bench in the same run: async
 * detect through the events stream and through long-poll (at `plan.wait.clients`), a light
 * load against the synchronous endpoint, and cache hits against a bare reference server.
 * Every request goes through `@argus/client`.
 */
import type { BenchPlatform } from './bench-platform';
import { stopProcess, type Proc } from './bench-platform';
import { startCacheReference } from './cache-reference';
import type { BenchPlan } from './bench-plan';
import { clientRequest } from './client-load';
import { closedLoop, syncDetectRequest, type LoadResult } from './http-load';
import type { BenchImage } from './images';
import type { LoadRun } from './report';
import { summarize, type LatencySummary } from './stats';

export interface LightRun {
  label: string;
  latency: LatencySummary;
  throughput: number;
}

export interface WaitReport {
  clients: number;
  events?: LoadRun;
  longPoll?: LoadRun;
  /** Light load: the synchronous `POST /detect` first, then the async waits. */
  light: LightRun[];
  cacheGateway?: LoadRun;
  cacheReference?: { load: LoadResult; latency: LatencySummary };
}

export interface WaitBenchContext {
  platform: BenchPlatform;
  plan: BenchPlan;
  next: () => BenchImage;
  measure: (platform: BenchPlatform, label: string, run: () => Promise<LoadResult>) => Promise<LoadRun>;
  say: (message: string) => void;
  overBudget: (part: string) => boolean;
}

export async function benchWaiting(ctx: WaitBenchContext, bus: BenchImage): Promise<WaitReport> {
  const { platform, plan, next } = ctx;
  const w = plan.wait;
  const report: WaitReport = { clients: w.clients, light: [] };
  const load = (request: ReturnType<typeof clientRequest>, clients: number, durationMs: number) =>
    closedLoop({
      clients,
      warmupMs: plan.platform.warmupMs,
      durationMs,
      timeoutMs: plan.platform.timeoutMs,
      request,
      next,
    });
  const events = clientRequest(platform.url, { task: 'detect' }, 'events');
  const longPoll = clientRequest(platform.url, { task: 'detect' }, 'long-poll');

  report.events = await ctx.measure(platform, `detect, 1 worker, ${w.clients} clients, events stream`, () =>
    load(events, w.clients, w.durationMs),
  );
  if (!ctx.overBudget('long-poll clients')) {
    report.longPoll = await ctx.measure(platform, `detect, 1 worker, ${w.clients} clients, long-poll`, () =>
      load(longPoll, w.clients, w.durationMs),
    );
  }
  if (!ctx.overBudget('light load')) {
    const light: [string, ReturnType<typeof clientRequest>][] = [
      ['sync POST /detect', syncDetectRequest(platform.url)],
      ['submit + events stream', events],
      ['submit + long-poll', longPoll],
      ['submit with Prefer: wait (client.detect)', clientRequest(platform.url, { task: 'detect' }, 'prefer')],
    ];
    for (const [label, request] of light) {
      const result = await load(request, w.lightClients, w.lightMs);
      report.light.push({ label, latency: summarize(result.latencies), throughput: result.throughput });
      ctx.say(`light load, ${label}: p50 ${summarize(result.latencies).p50.toFixed(1)} ms`);
    }
  }

  if (!ctx.overBudget('cache hits')) {
    const first = await events(bus, Date.now() + 30_000);
    if (!first.ok) throw new Error(`the cache-hit image failed: ${first.failure}`);
    const cacheLoad = (request: ReturnType<typeof clientRequest>) =>
      closedLoop({
        clients: w.clients,
        warmupMs: 300,
        durationMs: plan.cacheMs,
        timeoutMs: plan.platform.timeoutMs,
        request,
        next: () => bus,
      });
    report.cacheGateway = await ctx.measure(platform, 'cache hits', () => cacheLoad(events));
    let reference: Proc | undefined;
    try {
      const started = await startCacheReference(platform, bus);
      reference = started.proc;
      const url = started.url;
      const result = await cacheLoad(clientRequest(url, { task: 'detect' }, 'events'));
      report.cacheReference = { load: result, latency: summarize(result.latencies) };
      ctx.say(`cache hits, reference server: ${result.throughput.toFixed(1)} hits/s`);
    } finally {
      if (reference) await stopProcess(reference);
    }
  }
  return report;
}
