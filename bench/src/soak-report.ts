/**
 * The soak's numbers as Markdown: one `## Soak` section, which `writeSoakSection` puts into
 * bench/RESULTS.md between markers, leaving the rest of the file (the benchmark's) as it is.
 */
import fs from 'node:fs';
import { EXPECTED, MIX, type Kind, type Outcome } from './soak-traffic';
import type { MachineInfo } from './proc-stats';
import { fmt, median, quantile } from './stats';

export const BEGIN =
  '<!-- soak:begin (written by `npm run soak`, bench/src/soak.ts; replaced on each run) -->';
export const END = '<!-- soak:end -->';

export interface RssReading {
  /** ms since the soak phase started. */
  atMs: number;
  bytes: Record<string, number | undefined>;
}

export interface SoakReport {
  mode: 'full' | 'smoke';
  machine: MachineInfo & { loadAvgAtEnd?: number[] };
  workers: number;
  workerConcurrency: number;
  capacityPerSec: number;
  ratePerSec: number;
  loadFactor: number;
  durationMs: number;
  windowMs: number;
  sampleMs: number;
  drainMs: number;
  sent: number;
  outcomes: Outcome[];
  /** RSS sampled every few seconds through the soak and the drain. */
  rss: RssReading[];
  /** Processes whose RSS growth is gated (gateway, workers); others are shown only. */
  gated: string[];
  maxGrowth: number;
  processesAlive: boolean;
  problems: string[];
}

const mib = (bytes: number | undefined) =>
  bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
/** m:ss */
const clock = (t: number) =>
  `${Math.floor(t / 60_000)}:${String(Math.round((t % 60_000) / 1000)).padStart(2, '0')}`;
const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}` : '–');

const windowCount = (r: SoakReport) => Math.ceil(r.durationMs / r.windowMs);

/** Window of a time (ms since the soak started); the drain belongs to the last window. */
const windowOf = (r: SoakReport, atMs: number) => Math.min(windowCount(r) - 1, Math.floor(atMs / r.windowMs));

/** Median RSS of `name` over the samples of window `w` (one GC cycle or one big image cannot move it). */
export function windowRss(r: SoakReport, w: number, name: string): number | undefined {
  const values = r.rss
    .filter((s) => windowOf(r, s.atMs) === w)
    .map((s) => s.bytes[name])
    .filter((v): v is number => v !== undefined);
  return values.length ? median(values) : undefined;
}

export const rssAtStart = (r: SoakReport, name: string) => windowRss(r, 0, name);
export const rssAtEnd = (r: SoakReport, name: string) => windowRss(r, windowCount(r) - 1, name);

/** Growth of the median RSS from the first window to the last. */
export function growth(r: SoakReport, name: string): number | undefined {
  const a = rssAtStart(r, name);
  const b = rssAtEnd(r, name);
  return a && b ? b / a - 1 : undefined;
}

/**
 * Growth from the middle window to the last. A leak keeps growing; warm-up (caches and
 * allocator pools filling up) levels off, so this tells them apart.
 */
export function lateGrowth(r: SoakReport, name: string): number | undefined {
  const a = windowRss(r, Math.floor(windowCount(r) / 2), name);
  const b = rssAtEnd(r, name);
  return a && b ? b / a - 1 : undefined;
}

export function renderSoak(r: SoakReport): string {
  const lines: string[] = [];
  const minutes = r.durationMs / 60_000;
  const ok = r.outcomes.filter((o) => o.ok);
  const work = ok.filter((o) => o.kind === 'detect' || o.kind === 'parse');
  const unexpected = r.outcomes.filter((o) => !o.ok);
  lines.push('## Soak', '');
  lines.push(
    `${r.mode === 'smoke' ? 'Smoke run (CI, `npm run soak:smoke`)' : '`npm run soak`'}: ${fmt(minutes, 1)} minutes at ` +
      `${fmt(r.ratePerSec, 2)} requests/s, ${Math.round(r.loadFactor * 100)} % of the ${fmt(r.capacityPerSec, 2)} requests/s ` +
      `the same mix reached in a closed loop just before. One gateway and ${r.workers} worker${r.workers > 1 ? 's' : ''} ` +
      `(WORKER_CONCURRENCY ${r.workerConcurrency}, yolov8n + bodypix-075) on 127.0.0.1 against the local Redis, ` +
      `${r.machine.cores} cores (${r.machine.cpuModel}), load average ${r.machine.loadAvgAtStart.join(' ')} at the start` +
      `${r.machine.loadAvgAtEnd ? ` and ${r.machine.loadAvgAtEnd.join(' ')} at the end` : ''}; ${r.machine.date.slice(0, 16)}Z.`,
    '',
  );
  lines.push(
    `**Result: ${r.problems.length === 0 ? 'pass' : 'FAIL'}.** ${r.sent} requests sent, ${ok.length} ended as expected, ` +
      `${unexpected.length} did not; ${work.length} fresh jobs completed (${fmt(work.length / (r.durationMs / 1000), 2)}/s) ` +
      `and every accepted job had ended ${fmt(r.drainMs / 1000, 1)} s after the last send.` +
      (r.problems.length ? ` Problems: ${r.problems.join('; ')}.` : ''),
    '',
  );

  lines.push(
    '**Mix and outcomes** (every request must end as its kind says: a bad input that is refused or fails with its code counts as expected):',
    '',
  );
  lines.push(
    '| kind | share | must end as | sent | as expected | otherwise |',
    '| --- | ---: | --- | ---: | ---: | --- |',
  );
  for (const kind of Object.keys(MIX) as Kind[]) {
    const of = r.outcomes.filter((o) => o.kind === kind);
    const other = tally(of.filter((o) => !o.ok).map((o) => o.got));
    lines.push(
      `| ${kind} | ${Math.round(MIX[kind] * 100)} % | ${EXPECTED[kind]} | ${of.length} | ${of.filter((o) => o.ok).length} | ${other || '–'} |`,
    );
  }
  lines.push('');

  lines.push('**Error answers by code** (refusals and failed jobs, expected ones included):', '');
  const codes = tally(
    r.outcomes.filter((o) => o.got !== 'completed' && o.got !== 'cached').map((o) => o.got),
    true,
  );
  lines.push('| answer | count | expected |', '| --- | ---: | --- |');
  const expectedSet = new Set(Object.values(EXPECTED));
  for (const [got, count] of Object.entries(codes))
    lines.push(`| ${got} | ${count} | ${expectedSet.has(got) ? 'yes' : '**no**'} |`);
  if (Object.keys(codes).length === 0) lines.push('| – | 0 | |');
  lines.push(`| 5xx answers | ${r.outcomes.filter((o) => o.status >= 500).length} | must be 0 |`, '');

  lines.push(
    `**Over time** (${r.windowMs / 1000} s windows, by the time a request ended; latency from submit to the poll that saw the job finish, 50 ms polls):`,
    '',
  );
  const procs = Object.keys(r.rss[0]?.bytes ?? {});
  lines.push(
    `| window | ended | fresh jobs/s | detect p50 / p99 ms | parse p99 ms | cache hit p99 ms | not as expected | ${procs.map((p) => `${p} RSS`).join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ${procs.map(() => '---:').join(' | ')} |`,
  );
  for (let w = 0; w < windowCount(r); w++) {
    const inWindow = r.outcomes.filter((o) => windowOf(r, o.endedAtMs) === w);
    const lat = (kind: Kind, q: number) =>
      quantile(
        inWindow.filter((o) => o.ok && o.kind === kind).map((o) => o.latencyMs),
        q,
      );
    const fresh = inWindow.filter((o) => o.ok && (o.kind === 'detect' || o.kind === 'parse')).length;
    lines.push(
      `| ${clock(w * r.windowMs)}–${clock((w + 1) * r.windowMs)} | ${inWindow.length} | ` +
        `${fmt(fresh / (r.windowMs / 1000), 2)} | ${ms(lat('detect', 0.5))} / ${ms(lat('detect', 0.99))} | ${ms(lat('parse', 0.99))} | ` +
        `${ms(lat('cached', 0.99))} | ${inWindow.filter((o) => !o.ok).length} | ${procs.map((p) => mib(windowRss(r, w, p))).join(' | ')} |`,
    );
  }
  lines.push('');

  lines.push(
    `**Memory** (RSS from /proc every ${r.sampleMs / 1000} s after the warm-up and the capacity measurement; start and end are the medians of the first and the last window, the table above shows each window's median; ${r.mode === 'full' ? `growth must stay under ${Math.round(r.maxGrowth * 100)} % for ${r.gated.join(', ')}` : 'shown, not gated: one minute cannot tell growth from warm-up and garbage collection'}):`,
    '',
  );
  lines.push(
    '| process | RSS at start | RSS at end | growth | growth over the second half | peak sample |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );

  for (const p of procs) {
    const g = growth(r, p);
    const late = lateGrowth(r, p);
    const gated = r.gated.includes(p);
    lines.push(
      `| ${p}${gated ? '' : ' (shared with other users, not gated)'} | ${mib(rssAtStart(r, p))} | ${mib(rssAtEnd(r, p))} | ${g === undefined ? '–' : pct(g)} | ${late === undefined ? '–' : pct(late)} | ${mib(Math.max(...r.rss.map((s) => s.bytes[p] ?? 0)))} |`,
    );
  }
  lines.push('');
  lines.push(
    'Every process stayed up for the whole run' + (r.processesAlive ? '.' : ': **no, a process exited**.'),
    '',
  );
  return lines.join('\n');
}

function tally(values: string[], asRecord?: false): string;
function tally(values: string[], asRecord: true): Record<string, number>;
function tally(values: string[], asRecord = false): string | Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  if (asRecord) return counts;
  return Object.entries(counts)
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
}

/**
 * Puts `section` into `file` between the soak markers: replaces the marked block when there
 * is one, else appends it. Reads the file right before writing, so edits others made to the
 * rest of it are kept.
 */
export function writeSoakSection(file: string, section: string): void {
  const block = `${BEGIN}\n\n${section.trim()}\n\n${END}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  let next: string;
  if (begin >= 0 && end > begin) {
    next = current.slice(0, begin) + block + current.slice(end + END.length);
  } else {
    next = `${current.trimEnd()}${current.trim() ? '\n\n' : ''}${block}\n`;
  }
  fs.writeFileSync(file, next);
}
