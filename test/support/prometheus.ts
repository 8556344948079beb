/**
 * A real Prometheus for the metrics tests (Debian's `prometheus` package; CI installs it),
 * started on a free loopback port with the project's scrape config pointed at a test
 * gateway, plus small helpers for the text exposition format and PromQL metric names.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, sleep } from './platform';
import { freePort } from './redis-server';

export const PROMETHEUS_CONFIG = path.join(REPO_ROOT, 'deploy/prometheus/prometheus.yml');
export const DASHBOARD = path.join(REPO_ROOT, 'deploy/grafana/dashboards/argus.json');

/** The deploy config with its gateway target replaced by `target` and a short scrape interval. */
export function prometheusConfigFor(target: string, scrapeInterval = '1s'): string {
  const text = fs.readFileSync(PROMETHEUS_CONFIG, 'utf8');
  if (!text.includes("'gateway:3000'"))
    throw new Error(`${PROMETHEUS_CONFIG} no longer targets 'gateway:3000'; update this helper`);
  return text
    .replace("'gateway:3000'", `'${target}'`)
    .replace(/scrape_interval: \S+/, `scrape_interval: ${scrapeInterval}`)
    .replace(/evaluation_interval: \S+/, `evaluation_interval: ${scrapeInterval}`)
    .replace(/scrape_timeout: \S+/, `scrape_timeout: ${scrapeInterval}`);
}

export function prometheusBinary(): string {
  const found = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => fs.existsSync(p));
  const which = found ?? spawnSync('which', ['prometheus'], { encoding: 'utf8' }).stdout.trim();
  if (!which) throw new Error('prometheus is not installed (CI: apt-get install prometheus)');
  return which;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export class TestPrometheus {
  readonly output: string[] = [];

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  /** Starts Prometheus with `config` and waits until it is ready. */
  static async start(config: string): Promise<TestPrometheus> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-prometheus-'));
    const configFile = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(configFile, config);
    const port = await freePort();
    const child = spawn(
      prometheusBinary(),
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const prom = new TestPrometheus(`http://127.0.0.1:${port}`, child, dir);
    child.stdout?.on('data', (d: Buffer) => prom.output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => prom.output.push(d.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await fetch(`${prom.url}/-/ready`).catch(() => null);
      if (ready?.ok) return prom;
      if (child.exitCode !== null || Date.now() > deadline) {
        await prom.stop();
        throw new Error(`prometheus did not become ready:\n${prom.output.join('')}`);
      }
      await sleep(100);
    }
  }

  /** An instant query; throws with Prometheus' own message when the expression is invalid. */
  async query(expr: string): Promise<PromSample[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
    if (body.data?.resultType === 'scalar') {
      const [, v] = body.data.result as unknown as [number, string];
      return [{ metric: {}, value: Number(v) }];
    }
    return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Polls `expr` until `accept` holds for its samples, or throws with the last answer. */
  async waitFor(
    expr: string,
    accept: (samples: PromSample[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<PromSample[]> {
    const deadline = Date.now() + timeoutMs;
    let last: PromSample[] = [];
    for (;;) {
      last = await this.query(expr);
      if (accept(last)) return last;
      if (Date.now() > deadline)
        throw new Error(`${expr} never matched within ${timeoutMs} ms; last answer ${JSON.stringify(last)}`);
      await sleep(250);
    }
  }

  async targets(): Promise<{ health: string; scrapeUrl: string; lastError: string }[]> {
    const res = await fetch(`${this.url}/api/v1/targets`);
    const body = (await res.json()) as { data: { activeTargets: any[] } };
    return body.data.activeTargets;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Samples of a Prometheus text exposition, and the `# TYPE` of each family. */
export interface Exposition {
  types: Map<string, string>;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Exposition['samples'] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { types, samples };
}

/** The value of the one sample of `name` whose labels include `labels` (undefined if none). */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * Metric names a PromQL expression reads: identifiers that are not functions, aggregation
 * keywords, label lists (`by (…)`), label matchers (`{…}`), ranges (`[…]`), strings or
 * Grafana variables.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?[A-Za-z_]\w*\}?/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(m.index + m[0].length);
    if (/^\s*\(/.test(after)) continue; // a function or aggregation call
    if (PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    if (/^\d/.test(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Every query of a Grafana dashboard JSON, with the panel it belongs to. */
export function dashboardQueries(dashboard: any): { panel: string; expr: string }[] {
  const panels: any[] = (dashboard.panels ?? []).flatMap((p: any) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((p) =>
    (p.targets ?? []).map((t: any) => ({ panel: String(p.title), expr: String(t.expr) })),
  );
}

/** Grafana's `$__rate_interval` and friends, as Prometheus needs them in a raw query. */
export function withGrafanaVariables(expr: string, rateInterval = '1m'): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, rateInterval);
}
