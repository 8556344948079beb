/** Formatting helpers shared by the report's sections. */
import type { LoopWindow } from './bench-platform';
import type { CeilingResult } from './ceiling';
import { median } from './stats';
import type { BenchReport, LoadRun } from './report';

export const pct = (share: number | undefined) =>
  share === undefined || !Number.isFinite(share) ? '–' : `${Math.round(share * 100)} %`;
export const mib = (bytes: number | undefined) =>
  bytes === undefined ? '–' : `${Math.round(bytes / 2 ** 20)} MiB`;

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Mean of one `timings` field over a run's jobs (`batchSize`: of the jobs that ran the model). */
export function meanTiming(run: LoadRun, field: string): number {
  const values = run.load.timings.map((t) => t[field]).filter((v): v is number => typeof v === 'number');
  return mean(field === 'batchSize' ? values.filter((v) => v > 0) : values);
}

/** Worst and median of the 1-s windows' p99 event-loop delay, and the largest delay seen. */
export function loopSummary(windows: LoopWindow[]): { worstP99: number; medianP99: number; max: number } {
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
export function otherShare(run: LoadRun): number {
  const known = Object.values(run.cpu.byProcess).reduce((a, b) => a + b, 0);
  return Math.max(0, 1 - known - run.cpu.idle - run.cpu.steal);
}

export function cpuRow(run: LoadRun): string[] {
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
