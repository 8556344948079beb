/** Renders the benchmark's measurements as the Markdown of bench/RESULTS.md. */
import type { LoopWindow } from './bench-platform';
import type { BenchPlan, SettingsCell } from './bench-plan';
import type { CeilingResult } from './ceiling';
import type { LoadResult } from './http-load';
import type { CpuShares, MachineInfo } from './proc-stats';
import { fmt, table, type LatencySummary } from './stats';
import { bestCeiling, pct } from './report-format';
import { renderPlatformSections } from './report-platform';
import { renderTuningSections } from './report-tuning';
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
  memory: {
    idle?: Record<string, number>;
    detect?: Record<string, number>;
    parse?: Record<string, number>;
    /** Worker idle RSS with every model of the manifest loaded (the default). */
    idleDefaultModels?: number;
  };
  skipped: string[];
  notes: string[];
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

  out.push(...renderPlatformSections(r), ...renderTuningSections(r));
  out.push(renderWaitSection(r, r.wait, bestCeiling(r, 'detect')?.imagesPerSec));
  for (const note of r.notes) out.push(note, '');
  return out.join('\n');
}
