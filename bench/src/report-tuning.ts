/** Parts 6–7 of the report: the batching grid, instances and threads, and memory. */
import { fmt, fmtMs, table } from './stats';
import type { BenchReport, GridCell } from './report';
import { mean, meanTiming, mib, otherShare, pct } from './report-format';

export function renderTuningSections(r: BenchReport): string[] {
  const out: string[] = [];
  const p = r.plan.platform;
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
      'The one-worker platform of part 2 (worker with yolov8n and bodypix-075 loaded, one inference thread per model instance and lane, default settings). ' +
        'Idle: after warm-up; under load: the peak. The last row is a worker with every model of the manifest (what `npm start` loads), ' +
        'started alone, after the same warm-up.',
      '',
      table(
        ['process', 'idle', 'peak under detect load', 'peak under parse load'],
        [
          ...names.map((n) => [n, mib(mem.idle?.[n]), mib(mem.detect?.[n]), mib(mem.parse?.[n])]),
          ...(mem.idleDefaultModels === undefined
            ? []
            : [['worker, default models', `**${mib(mem.idleDefaultModels)}**`, '–', '–']]),
        ],
      ),
      '',
    );
    if (r.inline) out.push(`Inline server peak RSS under load: ${mib(r.inline.rssPeak.inline)}.`, '');
  }
  return out;
}
