/** Parts 2–5 of the report: the platform's runs, its ratio to the ceiling, the inline baseline, cache hits. */
import type { LoadResult } from './http-load';
import { fmt, fmtMs, table, type LatencySummary } from './stats';
import type { BenchReport, LoadRun } from './report';
import { bestCeiling, cpuRow, loopSummary, meanTiming, otherShare, pct } from './report-format';

export function renderPlatformSections(r: BenchReport): string[] {
  const out: string[] = [];
  // 2. Platform
  const p = r.plan.platform;
  out.push(
    '## 2. Platform: HTTP → gateway → Redis/BullMQ → worker',
    '',
    `Closed loop: ${p.detectClients} clients for detect, ${p.parseClients} for parse, each submitting \`POST /v1/jobs\` ` +
      (r.plan.polling
        ? `and polling \`GET /v1/jobs/:id\` from ${r.plan.pollMs} ms after the submit, backing off ×1.25 up to ${r.plan.pollMaxMs} ms ` +
          `(BENCH_POLL_MS; a latency is at most 25 % or ${r.plan.pollMaxMs} ms late).`
        : 'through `@argus/client` and waiting on the job’s events stream (`GET /v1/jobs/:id/events`, no polling).') +
      ` The synchronous \`POST /detect\` row in part 4 waits on BullMQ's queue events. Every upload has distinct bytes (no cache hit, no deduplication). Worker: \`WORKER_MODELS=yolov8n,bodypix-075\`, ` +
      `every other setting at its default (listed above). ${p.durationMs / 1000} s measured after ${p.warmupMs / 1000} s of warm-up.`,
    '',
    table(
      [
        'run',
        'images/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'mean batch',
        'mean batch wait ms',
        'mean queue wait ms',
        'worker loop p99 ms (worst 1-s window / median)',
        'failed',
      ],
      r.platform.map((run) => {
        const loop = loopSummary(run.loop);
        return [
          run.label + (run.note ? ` (${run.note})` : ''),
          `**${fmt(run.load.throughput)}**`,
          fmtMs(run.latency.p50),
          fmtMs(run.latency.p95),
          fmtMs(run.latency.p99),
          fmt(meanTiming(run, 'batchSize'), 2),
          fmt(meanTiming(run, 'batchWaitMs')),
          fmt(meanTiming(run, 'queueWaitMs')),
          `${fmt(loop.worstP99)} / ${fmt(loop.medianP99)}`,
          String(Object.values(run.load.failures).reduce((a, b) => a + b, 0)),
        ];
      }),
    ),
    '',
    'Where the cores went during each run (share of all cores; the load generator is this benchmark’s own HTTP client; ' +
      '“other processes” is everything else on the machine, e.g. other test suites):',
    '',
    table(
      [
        'run',
        'worker(s)',
        'gateway',
        'redis-server',
        'load generator',
        'inline server',
        'other processes',
        'idle',
        'stolen',
      ],
      [
        ...r.platform,
        ...[r.platformSync, r.cache, r.inline].filter((x): x is LoadRun => x !== undefined),
      ].map(cpuRow),
    ),
    '',
  );
  const stage = (run: LoadRun) =>
    ['decodeMs', 'preMs', 'batchWaitMs', 'inferMs', 'postMs']
      .map((f) => `${f.replace('Ms', '')} ${fmt(meanTiming(run, f))}`)
      .join(', ');
  for (const run of r.platform) {
    const polls = run.load.latencies.length ? run.load.polls / run.load.latencies.length : NaN;
    out.push(`- ${run.label}, mean per job (ms): ${stage(run)}; ${fmt(polls)} status polls per job`);
  }
  out.push('');

  // 3. Ratio
  const ratioRows: string[][] = [];
  for (const task of ['detect', 'parse'] as const) {
    const best = bestCeiling(r, task);
    for (const run of r.platform.filter((x) => x.task === task)) {
      ratioRows.push([
        `${task}, ${run.workers} worker${run.workers > 1 ? 's' : ''}`,
        best
          ? `${fmt(best.imagesPerSec)} (${best.instances} × ${best.intraOpThreads}, batch ${best.batch})`
          : '–',
        fmt(run.load.throughput),
        best ? `**${fmt(run.load.throughput / best.imagesPerSec, 2)}**` : '–',
      ]);
    }
  }
  out.push(
    '## 3. Platform ÷ ceiling',
    '',
    table(['run', 'ceiling images/s (best setting)', 'platform images/s', 'ratio'], ratioRows),
    '',
  );
  const detect1 = r.platform.find((x) => x.task === 'detect' && x.workers === 1);
  const bestDetect = bestCeiling(r, 'detect');
  if (detect1 && bestDetect) {
    const by = detect1.cpu.byProcess;
    const worker = Object.entries(by)
      .filter(([k]) => k.startsWith('worker'))
      .reduce((a, [, v]) => a + v, 0);
    const sync = r.platformSync;
    // Core-milliseconds per image: how hard the worker works for one image against the model alone.
    const perImage = (share: number | undefined, imagesPerSec: number) =>
      share === undefined ? NaN : (share * r.machine.cores * 1000) / imagesPerSec;
    const workerMs = perImage(worker, detect1.load.throughput);
    const ceilingMs = perImage(bestDetect.cpuShare, bestDetect.imagesPerSec);
    out.push(
      `Per image, the worker process spent ${fmt(workerMs, 0)} ms of CPU and the model alone ${fmt(ceilingMs, 0)} ms ` +
        `(each from its process's CPU time over its measured window). ` +
        `What eats the rest (detect, 1 worker): the worker process used ${pct(worker)} of the cores, the gateway ${pct(by.gateway)}, ` +
        `redis-server ${pct(by.redis)}, the load generator ${pct(by['load generator'])}, other processes ${pct(otherShare(detect1))}, ` +
        `and ${pct(detect1.cpu.idle)} stayed idle. Every platform job also costs what the ceiling does not pay: the upload's ` +
        `multipart parsing, header check and MD5 in the gateway, about ten Redis round trips (blob, job, progress, result), and ` +
        `${fmt(detect1.load.polls / Math.max(1, detect1.load.latencies.length))} status polls per job.` +
        (sync
          ? ` Without the polls, the synchronous \`POST /detect\` (same queue and worker, answered from BullMQ's queue events) ` +
            `reached ${fmt(sync.load.throughput)} images/s, **${fmt(sync.load.throughput / bestDetect.imagesPerSec, 2)}** of the ceiling, ` +
            `with the gateway at ${pct(sync.cpu.byProcess.gateway)} and the load generator at ${pct(sync.cpu.byProcess['load generator'])}.`
          : ''),
      '',
    );
  }

  // 4. Inline
  if (r.inline || r.overload.length) {
    const detect1 = r.platform.find((x) => x.task === 'detect' && x.workers === 1);
    const rows: string[][] = [];
    const row = (
      label: string,
      load: string,
      offered: string,
      run: { load: LoadResult; latency: LatencySummary },
      health: string,
    ) => [
      label,
      load,
      offered,
      fmt(run.load.throughput),
      fmtMs(run.latency.p50),
      fmtMs(run.latency.p99),
      fmtMs(run.latency.max),
      `${run.load.completed}/${run.load.sent}`,
      Object.entries(run.load.failures)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '0',
      health,
    ];
    if (detect1)
      rows.push(row('platform, 1 worker, submit + poll', `${p.detectClients} clients`, '–', detect1, '–'));
    if (r.platformSync)
      rows.push(
        row(
          'platform, 1 worker, sync `POST /detect`',
          `${p.detectClients} clients`,
          '–',
          r.platformSync,
          '–',
        ),
      );
    if (r.inline) rows.push(row('inline', `${p.detectClients} clients`, '–', r.inline, '–'));
    for (const o of r.overload) {
      rows.push(
        row(
          o.label,
          `open loop ${r.plan.overload.durationMs / 1000} s`,
          fmt(o.offered),
          o,
          `${fmtMs(o.health.p50)} / ${fmtMs(o.health.p99)}`,
        ),
      );
    }
    out.push(
      '## 4. Inline baseline (the Flask articles’ architecture) under the same load',
      '',
      'The inline server is one Express process whose `POST /detect` handler decodes the upload and runs the same yolov8n session ' +
        '(same file, same threads, same pre/post code) inside the request. Overload: an open loop offering ' +
        `${r.plan.overload.factor}× the larger of the two systems’ measured capacities (the same offered load for both), every request with a ${r.plan.overload.timeoutMs / 1000} s deadline; ` +
        'throughput counts answers until the last request ended; `/healthz` is probed every 250 ms meanwhile.',
      '',
      table(
        [
          'system',
          'load',
          'offered/s',
          'answered/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'answered',
          'failed',
          'healthz p50 / p99 ms',
        ],
        rows,
      ),
      '',
    );
  }

  // 5. Cache
  if (r.cache) {
    out.push(
      '## 5. Cache hits',
      '',
      `The same upload (bus.jpg) again and again after its first job finished: the gateway answers 200 from the result cache. ${p.detectClients} clients.`,
      '',
      table(
        ['requests/s', 'p50 ms', 'p99 ms', 'max ms'],
        [
          [
            fmt(r.cache.load.throughput),
            fmt(r.cache.latency.p50),
            fmt(r.cache.latency.p99),
            fmt(r.cache.latency.max),
          ],
        ],
      ),
      '',
    );
  }
  return out;
}
