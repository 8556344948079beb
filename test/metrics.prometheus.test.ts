/**
 * Metrics end to end with a real Prometheus: two worker processes push their snapshots
 * through Redis, the gateway's GET /metrics merges them, and Prometheus scrapes the gateway
 * with the project's own config (deploy/prometheus/prometheus.yml) pointed at it. Jobs run,
 * then Prometheus' HTTP API must show both workers' inference histograms and the queue
 * gauges with the values the test caused; a killed worker's series go, a new one's come.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { sample, sleep, startPlatform, type Platform, type ProcessHandle } from './support/platform';
import {
  DASHBOARD,
  TestPrometheus,
  dashboardQueries,
  parseExposition,
  prometheusConfigFor,
  sampleValue,
  withGrafanaVariables,
  type Exposition,
} from './support/prometheus';

const PUSH_MS = 500;
let platform: Platform;
let prom: TestPrometheus;

beforeAll(async () => {
  platform = await startPlatform({
    workers: 2,
    env: {
      METRICS_PUSH_INTERVAL_MS: String(PUSH_MS),
      LOG_JSON: 'true',
      // Only detect is served: parse jobs stay waiting, which the queue gauges must show.
      WORKER_TASKS: 'detect',
      WORKER_MODELS: 'yolov8n',
      // One job at a time per worker, so a burst of jobs spreads over both.
      WORKER_CONCURRENCY: '1',
      // Worker ids carry host and PID only when asked (issue 12); this test maps ids to processes.
      METRICS_HOST_LABELS: 'true',
    },
  });
  prom = await TestPrometheus.start(prometheusConfigFor(new URL(platform.url).host));
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await platform?.stop();
});

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${platform.url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** Polls the gateway's /metrics until `accept` holds. */
async function scrapeUntil(accept: (e: Exposition) => boolean, timeoutMs = 15_000): Promise<Exposition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await scrape();
    if (accept(e)) return e;
    if (Date.now() > deadline) throw new Error(`/metrics never matched\n${platform.logs()}`);
    await sleep(200);
  }
}

const workerIds = (e: Exposition) =>
  e.samples.filter((s) => s.name === 'argus_worker_up').map((s) => s.labels.worker);

const completedBy = (e: Exposition, worker: string) =>
  sampleValue(e, 'argus_jobs_processed_total', { task: 'detect', status: 'completed', worker }) ?? 0;

function workerHandle(id: string): ProcessHandle {
  const handle = platform.processes.find((p) => p.child.pid !== undefined && id.includes(`-${p.child.pid}-`));
  if (!handle) throw new Error(`no process for worker ${id}`);
  return handle;
}

let detectJobs = 0;

describe('a real Prometheus scraping the gateway', () => {
  it('scrapes the gateway with the project config', async () => {
    await prom.waitFor('up{job="argus"}', (s) => s.length === 1 && s[0].value === 1);
    const [target] = await prom.targets();
    expect(target.scrapeUrl).toBe(`${platform.url}/metrics`);
    expect(target.health).toBe('up');
  });

  it("shows both workers' inference histograms with the jobs each ran", async () => {
    // Distinct confidences keep the cache out of the way: every submission is a job.
    const bus = sample('bus.jpg');
    let round = 0;
    let exposition: Exposition;
    for (;;) {
      const submits = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          platform.post('/v1/jobs', bus, {
            task: 'detect',
            confidence: (0.3 + (round * 8 + i) / 200).toFixed(3),
          }),
        ),
      );
      for (const s of submits) expect(s.status).toBe(202);
      for (const s of submits) expect((await platform.waitForJob(s.body.id)).status).toBe('completed');
      detectJobs += submits.length;
      exposition = await scrapeUntil((e) => {
        const ids = workerIds(e);
        return ids.length === 2 && ids.reduce((n, id) => n + completedBy(e, id), 0) === detectJobs;
      });
      if (workerIds(exposition).every((id) => completedBy(exposition, id) > 0) || ++round === 4) break;
    }
    const ids = workerIds(exposition);
    expect(ids.map((id) => completedBy(exposition, id)).every((n) => n > 0)).toBe(true);

    // Prometheus holds the same per-worker numbers the gateway serves.
    const perWorker = await prom.waitFor(
      'sum by (worker) (argus_inference_duration_seconds_count{stage="infer", model="yolov8n"})',
      (s) => s.length === 2 && s.reduce((n, x) => n + x.value, 0) === detectJobs,
    );
    for (const s of perWorker) expect(s.value).toBe(completedBy(exposition, s.metric.worker));
    expect(perWorker.map((s) => s.metric.worker).sort()).toEqual([...ids].sort());

    // Every stage is a real histogram: +Inf bucket = count, a positive sum, per worker.
    for (const stage of ['decode', 'pre', 'infer', 'post']) {
      const counts = await prom.query(
        `sum by (worker) (argus_inference_duration_seconds_bucket{stage="${stage}", le="+Inf"})`,
      );
      expect(counts.map((c) => [c.metric.worker, c.value]).sort()).toEqual(
        ids.map((id) => [id, completedBy(exposition, id)]).sort(),
      );
      const [sum] = await prom.query(`sum(argus_inference_duration_seconds_sum{stage="${stage}"})`);
      expect(sum.value).toBeGreaterThan(0);
    }
    const [batches] = await prom.query('sum(argus_batch_size_count{model="yolov8n"})');
    expect(batches.value).toBe(detectJobs);
    const [waits] = await prom.query('sum(argus_queue_wait_seconds_count{task="detect"})');
    expect(waits.value).toBe(detectJobs);
    const [submitted] = await prom.waitFor(
      'argus_jobs_submitted_total{task="detect"}',
      (s) => s[0]?.value === detectJobs,
    );
    expect(submitted.metric.worker).toBeUndefined();

    // Each worker's own process metrics are there, apart from the gateway's.
    const lag = await prom.query('nodejs_eventloop_lag_p99_seconds');
    expect(lag.map((s) => s.metric.worker ?? s.metric.service).sort()).toEqual(['gateway', ...ids].sort());
  });

  it('shows queue depth, the oldest waiting job, failures, rejections and cache hits', async () => {
    // No worker serves parse: these wait. The oldest has the lowest priority, so it is the
    // last the workers would take, and the gauge must still find it.
    const lowStart = Date.now();
    const low = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'parse',
      threshold: '0.4',
      priority: 'low',
    });
    const lowEnd = Date.now();
    expect(low.status).toBe(202);
    await sleep(1_500);
    for (const [threshold, priority] of [
      ['0.5', 'normal'],
      ['0.6', 'high'],
    ]) {
      const s = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'parse', threshold, priority });
      expect(s.status).toBe(202);
    }
    const t0 = Date.now();
    const fresh = await scrape();
    const t1 = Date.now();
    const oldest = sampleValue(fresh, 'argus_queue_oldest_waiting_age_seconds', { queue: 'parse' })!;
    expect(oldest).toBeGreaterThanOrEqual((t0 - lowEnd) / 1000 - 0.01);
    expect(oldest).toBeLessThanOrEqual((t1 - lowStart) / 1000 + 0.01);
    const small = await sharp(sample('zidane.jpg').bytes).resize(400).jpeg().toBuffer();
    const truncated = await platform.post(
      '/v1/jobs',
      { bytes: small.subarray(0, Math.floor(small.length / 2)), name: 't.jpg' },
      { task: 'detect' },
    );
    expect((await platform.waitForJob(truncated.body.id)).error.code).toBe('invalid_image');
    const gif = { bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'), name: 'a.gif' };
    expect((await platform.post('/v1/jobs', gif, { task: 'detect' })).status).toBe(415);
    const hit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', confidence: '0.300' });
    expect(hit.body.cached).toBe(true);

    // Jobs carry a priority (normal by default), so BullMQ keeps them in its prioritized set.
    await prom.waitFor('argus_queue_jobs{queue="parse", state="prioritized"}', (s) => s[0]?.value === 3);
    const [age] = await prom.waitFor(
      'argus_queue_oldest_waiting_age_seconds{queue="parse"}',
      (s) => s[0]?.value > 1.5,
    );
    expect(age.value).toBeLessThan((Date.now() - lowStart) / 1000 + 0.01);
    for (const [queue, state] of [
      ['detect', 'waiting'],
      ['detect', 'prioritized'],
      ['detect', 'active'],
      ['parse', 'waiting'],
      ['parse', 'active'],
      ['parse', 'delayed'],
    ])
      expect((await prom.query(`argus_queue_jobs{queue="${queue}", state="${state}"}`))[0].value).toBe(0);
    expect((await prom.query('argus_queue_oldest_waiting_age_seconds{queue="detect"}'))[0].value).toBe(0);
    await prom.waitFor('argus_queue_jobs{queue="detect", state="failed"}', (s) => s[0]?.value === 1);
    await prom.waitFor(
      'sum(argus_job_failures_total{task="detect", code="invalid_image"})',
      (s) => s[0]?.value === 1,
    );
    await prom.waitFor(
      'sum(argus_jobs_processed_total{task="detect", status="failed"})',
      (s) => s[0]?.value === 1,
    );
    await prom.waitFor(
      'argus_uploads_rejected_total{code="unsupported_media_type"}',
      (s) => s[0]?.value === 1,
    );
    await prom.waitFor('argus_cache_requests_total{task="detect", result="hit"}', (s) => s[0]?.value === 1);
    await prom.waitFor('argus_cache_requests_total{task="parse", result="miss"}', (s) => s[0]?.value === 3);
    const rejected = await prom.query('http_requests_total{method="POST", route="/v1/jobs", status="415"}');
    expect(rejected[0].value).toBe(1);
  });

  it('evaluates every query of the Grafana dashboard, and finds data for them', async () => {
    // Enough scrapes inside the 1m rate window for every rate() to have two points.
    await sleep(2_000);
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8'));
    const empty: string[] = [];
    for (const { panel, expr } of dashboardQueries(dashboard)) {
      const result = await prom.query(withGrafanaVariables(expr, '1m'));
      if (result.length === 0) empty.push(`${panel}: ${expr}`);
    }
    // No request failed with a 5xx in this run; everything else has data.
    expect(empty).toEqual([
      'Errors by code: sum by (route) (rate(http_requests_total{status=~"5.."}[$__rate_interval]))',
    ]);
  });

  it("drops a dead worker's series after the snapshot TTL and picks up a new worker, config unchanged", async () => {
    const before = await scrape();
    const [dead, alive] = workerIds(before);
    const handle = workerHandle(dead);
    handle.child.kill('SIGKILL');
    await handle.exited;
    const killedAt = Date.now();

    const after = await scrapeUntil((e) => workerIds(e).length === 1);
    // TTL is three push intervals; the rest is polling slack.
    expect(Date.now() - killedAt).toBeLessThan(PUSH_MS * 3 + 3_000);
    expect(workerIds(after)).toEqual([alive]);
    expect(after.samples.some((s) => s.labels.worker === dead)).toBe(false);
    expect(sampleValue(after, 'argus_metrics_worker_snapshots')).toBe(1);
    await prom.waitFor('count(argus_worker_up)', (s) => s[0]?.value === 1);

    const fresh = platform.startWorker();
    await platform.waitForWorkerReady(fresh);
    const joined = await scrapeUntil((e) => workerIds(e).length === 2);
    const newId = workerIds(joined).find((id) => id !== alive)!;
    expect(newId).toContain(`-${fresh.child.pid}-`);
    const up = await prom.waitFor('argus_worker_up', (s) => s.length === 2);
    expect(up.map((s) => s.metric.worker).sort()).toEqual([alive, newId].sort());
  });

  it('serves the merged exposition with its content type, the gateway labelled apart', async () => {
    const res = await fetch(`${platform.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const e = parseExposition(await res.text());
    expect(e.types.get('argus_inference_duration_seconds')).toBe('histogram');
    expect(e.types.get('argus_jobs_processed_total')).toBe('counter');
    expect(e.types.get('argus_queue_jobs')).toBe('gauge');
    expect(sampleValue(e, 'argus_metrics_redis_up')).toBe(1);
    // prom-client's default metrics, once per process: the gateway and each worker.
    const starts = e.samples.filter((s) => s.name === 'process_start_time_seconds');
    expect(starts.map((s) => s.labels.service).sort()).toEqual(['gateway', 'worker', 'worker']);
  });
});

describe('logs', () => {
  it("carries the request id from the gateway's request line into the worker's JSON lines", async () => {
    const requestId = `metrics-test-${Date.now()}`;
    const form = new FormData();
    form.append('task', 'detect');
    form.append('confidence', '0.777');
    form.append('image', new Blob([new Uint8Array(sample('bus.jpg').bytes)]), 'bus.jpg');
    const res = await fetch(`${platform.url}/v1/jobs`, {
      method: 'POST',
      body: form,
      headers: { 'X-Request-Id': requestId },
    });
    const { id } = (await res.json()) as { id: string };
    await platform.waitForJob(id);

    const lines = (output: string[]) =>
      output
        .join('')
        .split('\n')
        .filter((l) => l.includes(requestId))
        .map((l) => JSON.parse(l));
    const gatewayLines = lines(platform.gateway!.output);
    expect(gatewayLines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        name: 'gateway',
        msg: 'request',
        method: 'POST',
        route: '/v1/jobs',
        status: 202,
        requestId,
        jobId: id,
        durationMs: expect.any(Number),
      }),
    );
    let workerLines: any[] = [];
    for (let i = 0; i < 50 && workerLines.length === 0; i++) {
      workerLines = platform.processes.filter((p) => p.name !== 'gateway').flatMap((p) => lines(p.output));
      await sleep(100);
    }
    expect(workerLines).toContainEqual(
      expect.objectContaining({
        name: 'worker',
        msg: 'job done',
        requestId,
        jobId: id,
        task: 'detect',
        inferMs: expect.any(Number),
      }),
    );
  });
});
