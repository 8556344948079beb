/** Renders the benchmark's measurements as the Markdown of bench/RESULTS.md. */
import type { LoopWindow } from './bench-platform';
import type { BenchPlan, SettingsCell } from './bench-plan';
import type { CeilingResult } from './ceiling';
import type { LoadResult } from './http-load';
import type { CpuShares, MachineInfo } from './proc-stats';
import { fmt, fmtMs, median, table, type LatencySummary } from './stats';
import type { WaitReport } from './wait-bench';
import { renderWaitSection } from './wait-report';

export interface LoadRun {
  label: string;
  task?: 'detect' | 'parse';
  workers: number;
  note?: string;
  load: LoadResult;
  latency: LatencySummary;
  cpu: CpuShares;
  rssPeak: Record<string, number>;
  loop: LoopWindow[];
}

export interface OverloadRun {
  label: string;
  offered: number;
  load: LoadResult & { drainMs: number };
  latency: LatencySummary;
  health: LatencySummary;
}

export interface GridCell {
  saturated: LoadRun;
  light: LatencySummary;
  lightThroughput: number;
}

export interface BenchReport {
  plan: BenchPlan;
  /** The serving defaults of this build, as one line. */
  defaults: string;
  machine: MachineInfo & { loadAvgAtEnd?: number[]; stealShare?: number };
  durationMs?: number;
  ceiling: CeilingResult[];
  platform: LoadRun[];
  cache?: LoadRun;
  /** The one-worker detect load through the synchronous `POST /detect`. */
  platformSync?: LoadRun;
  inline?: LoadRun;
  /** Results without polling: events stream, long-poll, light load, cache hits vs a reference. */
  wait?: WaitReport;
  overloadRate?: number;
  overload: OverloadRun[];
  grid: (GridCell & { maxBatchSize: number; delayMs: number })[];
  settings: (SettingsCell & { passes: GridCell[] })[];
  memory: { idle?: Record<string, number>; detect?: Record<string, number>; parse?: Record<string, number> };
  skipped: string[];
  notes: string[];
}

const pct = (share: number | undefined) =>
  share === undefined || !Number.isFinite(share) ? '–' : `${Math.round(share * 100)} %`;
const mib = (bytes: number | undefined) => (bytes === undefined ? '–' : `${Math.round(bytes / 2 ** 20)} MiB`);

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Mean of one `timings` field over a run's jobs (`batchSize`: of the jobs that ran the model). */
function meanTiming(run: LoadRun, field: string): number {
  const values = run.load.timings.map((t) => t[field]).filter((v): v is number => typeof v === 'number');
  return mean(field === 'batchSize' ? values.filter((v) => v > 0) : values);
}

/** Worst and median of the 1-s windows' p99 event-loop delay, and the largest delay seen. */
function loopSummary(windows: LoopWindow[]): { worstP99: number; medianP99: number; max: number } {
  return {
    worstP99: windows.length ? Math.max(...windows.map((w) => w.p99Ms)) : NaN,
    medianP99: median(windows.map((w) => w.p99Ms)),
    max: windows.length ? Math.max(...windows.map((w) => w.maxMs)) : NaN,
  };
}

export function bestCeiling(report: BenchReport, task: 'detect' | 'parse'): CeilingResult | undefined {
  return report.ceiling.filter((c) => c.task === task).sort((a, b) => b.imagesPerSec - a.imagesPerSec)[0];
}

/** Share of the cores other processes (not part of the run) used during it. */
function otherShare(run: LoadRun): number {
  const known = Object.values(run.cpu.byProcess).reduce((a, b) => a + b, 0);
  return Math.max(0, 1 - known - run.cpu.idle - run.cpu.steal);
}

function cpuRow(run: LoadRun): string[] {
  const by = run.cpu.byProcess;
  const workers = Object.entries(by)
    .filter(([k]) => k.startsWith('worker'))
    .reduce((s, [, v]) => s + v, 0);
  return [
    run.label,
    pct(workers),
    pct(by.gateway),
    pct(by.redis),
    pct(by['load generator']),
    pct(by.inline),
    pct(otherShare(run)),
    pct(run.cpu.idle),
    pct(run.cpu.steal),
  ];
}

export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  const busy = m.loadAvgAtStart[0] > 0.5 * m.cores || (m.stealShare ?? 0) > 0.05;
  out.push(
    `# Argus benchmark results${r.plan.mode === 'smoke' ? ' (smoke run: durations too short to mean anything)' : ''}`,
    '',
    'Written by `npm run bench` (`bench/src/run-bench.ts`). Every figure below was measured in the same run on the same machine; ' +
      'rerun it on a quiet machine before quoting any of them.',
    '',
    table(
      ['machine', ''],
      [
        ['date', m.date],
        ['CPU', `${m.cpuModel}, ${m.cores} cores`],
        ['memory', `${m.memoryGiB} GiB`],
        ['Node.js', `${m.node} (${m.platform})`],
        [
          'load average at start → end',
          `${m.loadAvgAtStart.join(' ')} → ${m.loadAvgAtEnd?.join(' ') ?? '–'}`,
        ],
        ['CPU stolen by the hypervisor during the run', pct(m.stealShare)],
        ['duration', r.durationMs ? `${Math.round(r.durationMs / 1000)} s` : '–'],
        ['serving defaults', r.defaults],
        [
          'busy machine?',
          busy ? '**yes**: other work shared the cores; treat every figure as a lower bound' : 'no',
        ],
      ],
    ),
    '',
  );
  if (r.skipped.length) out.push(`**Skipped (time budget spent):** ${r.skipped.join('; ')}`, '');

  // 1. Ceiling
  out.push(
    '## 1. Ceiling: the model alone',
    '',
    'One process, no HTTP, Redis or queue. Detect: decode + letterbox + normalise a batch (the next batch decodes while this one runs), one `run()`, ' +
      'box decoding + NMS. Parse: the worker’s whole parse pipeline (decode, person detection, crops batched per image, BodyPix, label maps, PNGs). ' +
      'Several instances = that many threads in the process, each with its own session. Images: coco128, cycled.',
    '',
    table(
      ['task', 'instances × intra-op threads', 'batch', 'images in flight', 'images/s', 'cores used'],
      r.ceiling.map((c) => {
        const best = bestCeiling(r, c.task) === c;
        return [
          c.task,
          `${c.instances} × ${c.intraOpThreads}`,
          String(c.batch),
          String(c.inFlight),
          best ? `**${fmt(c.imagesPerSec)}**` : fmt(c.imagesPerSec),
          pct(c.cpuShare),
        ];
      }),
    ),
    '',
  );

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

  // 6. Grid
  if (r.grid.length) {
    const sizes = [...new Set(r.grid.map((g) => g.maxBatchSize))];
    const delays = [...new Set(r.grid.map((g) => g.delayMs))];
    const cell = (b: number, d: number, f: (g: GridCell) => string) => {
      const g = r.grid.find((x) => x.maxBatchSize === b && x.delayMs === d);
      return g ? f(g) : '–';
    };
    out.push(
      '## 6. Batching effect (yolov8n fp32, one worker, one instance of 2 threads, WORKER_CONCURRENCY 16 so batches of 8 can form)',
      '',
      `Saturated: ${p.detectClients} clients, ${r.plan.grid.durationMs / 1000} s each. Cells: images/s · p99 ms · mean batch size · share of the cores other processes took meanwhile (a cell with a large share is not comparable).`,
      '',
      table(
        ['maxBatchSize \\ maxQueueDelayMs', ...delays.map(String)],
        sizes.map((b) => [
          String(b),
          ...delays.map((d) =>
            cell(
              b,
              d,
              (g) =>
                `${fmt(g.saturated.load.throughput)} · ${fmtMs(g.saturated.latency.p99)} · ` +
                `${fmt(meanTiming(g.saturated, 'batchSize'), 1)} · ${pct(otherShare(g.saturated))}`,
            ),
          ),
        ]),
      ),
      '',
      'Light load (2 clients): what the delay costs when there is nothing to batch with. Cells: p50 · p99 ms.',
      '',
      table(
        ['maxBatchSize \\ maxQueueDelayMs', ...delays.map(String)],
        sizes.map((b) => [
          String(b),
          ...delays.map((d) => cell(b, d, (g) => `${fmtMs(g.light.p50)} · ${fmtMs(g.light.p99)}`)),
        ]),
      ),
      '',
    );
  }
  if (r.settings.length) {
    const each = (c: { passes: GridCell[] }, f: (g: GridCell) => string) => c.passes.map(f).join(' / ');
    out.push(
      'Instances, threads and the defaults (one worker each; saturated and light load as above; ' +
        'measured twice, the second pass in reverse order, figures given per pass as “first / second”):',
      '',
      table(
        [
          'setting',
          'MODEL_OVERRIDES',
          'WORKER_CONCURRENCY',
          'images/s',
          'mean images/s',
          'p99 ms',
          'mean batch',
          'light-load p50 ms',
          'other processes',
        ],
        r.settings.map((c) => [
          c.label,
          c.overrides ? `\`${c.overrides}\`` : '(none)',
          c.concurrency === undefined ? 'default' : String(c.concurrency),
          each(c, (g) => fmt(g.saturated.load.throughput)),
          `**${fmt(mean(c.passes.map((g) => g.saturated.load.throughput)))}**`,
          each(c, (g) => fmtMs(g.saturated.latency.p99)),
          fmt(mean(c.passes.map((g) => meanTiming(g.saturated, 'batchSize'))), 1),
          each(c, (g) => fmtMs(g.light.p50)),
          each(c, (g) => pct(otherShare(g.saturated))),
        ]),
      ),
      '',
    );
  }

  // 7. Memory
  const mem = r.memory;
  const names = [
    ...new Set([
      ...Object.keys(mem.idle ?? {}),
      ...Object.keys(mem.detect ?? {}),
      ...Object.keys(mem.parse ?? {}),
    ]),
  ];
  if (names.length) {
    out.push(
      '## 7. Memory (RSS)',
      '',
      'The one-worker platform of part 2 (worker with yolov8n and bodypix-075 loaded, each model’s instances on their own session threads, default settings). Idle: after warm-up; under load: the peak.',
      '',
      table(
        ['process', 'idle', 'peak under detect load', 'peak under parse load'],
        names.map((n) => [n, mib(mem.idle?.[n]), mib(mem.detect?.[n]), mib(mem.parse?.[n])]),
      ),
      '',
    );
    if (r.inline) out.push(`Inline server peak RSS under load: ${mib(r.inline.rssPeak.inline)}.`, '');
  }
  out.push(renderWaitSection(r, r.wait, bestCeiling(r, 'detect')?.imagesPerSec));
  for (const note of r.notes) out.push(note, '');
  return out.join('\n');
}
