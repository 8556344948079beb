/** The "Results without polling" section of bench/RESULTS.md, with the floors of issue 16. */
import type { BenchReport } from './report';
import { fmt, fmtMs, table } from './stats';
import type { WaitReport } from './wait-bench';

const verdict = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'met' : '**not met**');

export function renderWaitSection(
  r: BenchReport,
  w: WaitReport | undefined,
  ceiling: number | undefined,
): string {
  if (!w) return '';
  const inline = r.inline?.load.throughput;
  const out: string[] = [
    '## Results without polling (event stream, long-poll) and cache hits',
    '',
    `Clients use \`@argus/client\`: \`submit()\` then \`wait()\` through \`GET /v1/jobs/:id/events\` (Server-Sent Events) or through long-poll ` +
      `(\`GET /v1/jobs/:id?wait=30\`); no status polling. Distinct uploads, one worker, ${w.clients} clients, beside the inline server ` +
      `and the model-alone ceiling of this same run. Floors: async detect ≥ 1.0× inline and ≥ 0.9× the ceiling.`,
    '',
  ];
  const rows = [w.events, w.longPoll]
    .filter((x) => x !== undefined)
    .map((run) => {
      const t = run.load.throughput;
      const vsInline = inline ? t / inline : undefined;
      const vsCeiling = ceiling ? t / ceiling : undefined;
      return [
        run.label,
        `**${fmt(t)}**`,
        fmtMs(run.latency.p50),
        fmtMs(run.latency.p99),
        vsInline === undefined ? '–' : `${fmt(vsInline, 2)} (${verdict(vsInline >= 1)})`,
        vsCeiling === undefined ? '–' : `${fmt(vsCeiling, 2)} (${verdict(vsCeiling >= 0.9)})`,
      ];
    });
  out.push(
    table(['run', 'images/s', 'p50 ms', 'p99 ms', '÷ inline server', '÷ ceiling (best setting)'], rows),
    '',
    `Inline server: ${fmt(inline)} images/s; ceiling: ${fmt(ceiling)} images/s.`,
    '',
  );
  if (w.light.length) {
    const sync = w.light[0].latency.p50;
    out.push(
      `Light load (${r.plan.wait.lightClients} client, distinct uploads): p50 against the synchronous endpoint; floor ≤ 1.1×.`,
      '',
      table(
        ['client', 'p50 ms', 'p99 ms', 'images/s', 'p50 ÷ sync'],
        w.light.map((l, i) => [
          l.label,
          fmtMs(l.latency.p50),
          fmtMs(l.latency.p99),
          fmt(l.throughput),
          i === 0 ? '1.00' : `${fmt(l.latency.p50 / sync, 2)} (${verdict(l.latency.p50 / sync <= 1.1)})`,
        ]),
      ),
      '',
    );
  }
  if (w.cacheGateway && w.cacheReference) {
    const g = w.cacheGateway;
    const ref = w.cacheReference;
    const ratio = g.load.throughput / ref.load.throughput;
    out.push(
      `Cache hits: the same photo (bus.jpg) again and again, ${w.clients} clients, the same client; the reference is Express + multer + ` +
        'MD5 + one Redis GET + a small JSON answer (bench/src/reference-server.ts). Floor: ≥ 0.8× the reference.',
      '',
      table(
        ['server', 'hits/s', 'p50 ms', 'p99 ms'],
        [
          ['gateway', `**${fmt(g.load.throughput)}**`, fmtMs(g.latency.p50), fmtMs(g.latency.p99)],
          ['reference', fmt(ref.load.throughput), fmtMs(ref.latency.p50), fmtMs(ref.latency.p99)],
        ],
      ),
      '',
      `Gateway ÷ reference: **${fmt(ratio, 2)}** (${verdict(ratio >= 0.8)}).`,
      '',
    );
  }
  return out.join('\n');
}
