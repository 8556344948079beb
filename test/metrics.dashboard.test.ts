/**
 * The Grafana dashboard (deploy/grafana) against the real metrics: the JSON is a dashboard
 * Grafana can load, it agrees with the provisioning files, it has the panels operators need,
 * and every metric name its queries use is one the gateway's GET /metrics really exposes
 * after real traffic. (test/metrics.prometheus.test.ts also evaluates each query in a real
 * Prometheus.)
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT, sample, sleep, startPlatform, type Platform } from './support/platform';
import {
  DASHBOARD,
  dashboardQueries,
  metricNamesIn,
  parseExposition,
  sampleValue,
  type Exposition,
} from './support/prometheus';

const GRAFANA = path.join(REPO_ROOT, 'deploy/grafana');
const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8'));
const panels: any[] = dashboard.panels;
const queries = dashboardQueries(dashboard);

describe('the Grafana dashboard JSON', () => {
  it('is a dashboard Grafana can load: uid, title, unique panel ids, panels inside the 24-column grid', () => {
    expect(dashboard).toMatchObject({
      uid: 'argus-overview',
      title: 'Argus',
      schemaVersion: expect.any(Number),
    });
    expect(panels.length).toBeGreaterThan(10);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      expect({
        title: p.title,
        ok: [x, y, w, h].every(Number.isInteger) && x >= 0 && w > 0 && x + w <= 24 && h > 0,
      }).toEqual({ title: p.title, ok: true });
      expect(['row', 'stat', 'timeseries']).toContain(p.type);
      if (p.type === 'row') continue;
      expect(p.targets.length).toBeGreaterThan(0);
      const refIds = p.targets.map((t: any) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('uses the provisioned Prometheus datasource everywhere', () => {
    const provisioned = fs.readFileSync(
      path.join(GRAFANA, 'provisioning/datasources/prometheus.yml'),
      'utf8',
    );
    const uid = /^\s+uid: (\S+)$/m.exec(provisioned)?.[1];
    expect(uid).toBe('prometheus');
    expect(provisioned).toMatch(/^\s+type: prometheus$/m);
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid });
      for (const t of p.targets) expect(t.datasource).toEqual({ type: 'prometheus', uid });
    }
    const provider = fs.readFileSync(path.join(GRAFANA, 'provisioning/dashboards/argus.yml'), 'utf8');
    expect(provider).toMatch(/^\s+type: file$/m);
    expect(provider).toMatch(/^\s+path: \/var\/lib\/grafana\/dashboards\/argus$/m);
  });

  it('has the panels operators need', () => {
    const titles = panels.map((p) => String(p.title));
    for (const wanted of [
      /throughput by task/i,
      /latency p50 \/ p95 \/ p99/i,
      /queue depth/i,
      /oldest waiting job/i,
      /batch size/i,
      /cache hit ratio/i,
      /inference time by stage/i,
      /errors by code/i,
      /^workers/i,
      /event-loop lag/i,
      /memory/i,
    ]) {
      expect({ wanted: String(wanted), found: titles.some((t) => wanted.test(t)) }).toEqual({
        wanted: String(wanted),
        found: true,
      });
    }
  });

  it('finds metric names in PromQL, and only those', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, task) (rate(argus_job_latency_seconds_bucket{route!="/x"}[$__rate_interval])))',
      ),
    ).toEqual(['argus_job_latency_seconds_bucket']);
    expect(
      metricNamesIn(
        'sum(rate(a_total{result="hit"}[5m])) / sum without (instance) (rate(b_total[5m])) and on (x) c',
      ),
    ).toEqual(['a_total', 'b_total', 'c']);
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries)
      expect({ expr: q.expr, names: metricNamesIn(q.expr).length > 0 }).toEqual({
        expr: q.expr,
        names: true,
      });
  });
});

describe('every dashboard query reads metrics that GET /metrics exposes', () => {
  let platform: Platform;
  let exposition: Exposition;

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 1,
      env: { METRICS_PUSH_INTERVAL_MS: '300', WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n' },
    });
    // Traffic that gives every labelled series a value: a job, a cache hit, a refused
    // upload, a job that fails, and a parse job nobody serves.
    const done = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' });
    await platform.waitForJob(done.body.id);
    expect((await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect' })).body.cached).toBe(true);
    const gif = { bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'), name: 'a.gif' };
    expect((await platform.post('/v1/jobs', gif, { task: 'detect' })).status).toBe(415);
    const small = await sharp(sample('zidane.jpg').bytes).resize(300).jpeg().toBuffer();
    const broken = await platform.post(
      '/v1/jobs',
      { bytes: small.subarray(0, small.length >> 1), name: 'b.jpg' },
      { task: 'detect' },
    );
    await platform.waitForJob(broken.body.id);
    expect((await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'parse' })).status).toBe(202);
    // The worker's next snapshot carries the failure.
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${platform.url}/metrics`);
      exposition = parseExposition(await res.text());
      if (sampleValue(exposition, 'argus_jobs_processed_total', { task: 'detect', status: 'failed' }) === 1)
        break;
      await sleep(100);
    }
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('has a sample for every metric name the dashboard uses', () => {
    const exposed = new Set(exposition.samples.map((s) => s.name));
    // Series that exist only once something happened that this short run cannot force.
    const eventual = new Set(['nodejs_gc_duration_seconds_sum']); // after the first GC
    const missing = queries.flatMap((q) =>
      metricNamesIn(q.expr)
        .filter((name) => !exposed.has(name) && !eventual.has(name))
        .map((name) => `${q.panel}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('declares each of those metrics with its type (histogram series through their family)', () => {
    const family = (name: string) =>
      exposition.types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    for (const name of new Set(queries.flatMap((q) => metricNamesIn(q.expr)))) {
      const type = exposition.types.get(family(name));
      expect({ name, type: type ?? 'undeclared' }).toEqual({
        name,
        type: expect.stringMatching(/^(counter|gauge|histogram)$/),
      });
      if (name !== family(name)) expect({ name, type }).toEqual({ name, type: 'histogram' });
    }
  });
});
