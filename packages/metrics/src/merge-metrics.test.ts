import { Registry, collectDefaultMetrics } from 'prom-client';
import { createGatewayMetrics } from './gateway.metrics';
import { createWorkerMetrics } from './worker.metrics';
import { mergeMetrics } from './merge-metrics';

function workerRegistry(id: string): { registry: Registry; metrics: ReturnType<typeof createWorkerMetrics> } {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: id });
  const metrics = createWorkerMetrics(registry, { tasks: ['detect'] });
  collectDefaultMetrics({ register: registry, labels: { service: 'worker' } });
  return { registry, metrics };
}

function lines(text: string, prefix: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(prefix));
}

describe('mergeMetrics', () => {
  it('keeps each worker its own series: histograms, counters and gauges are never blended', async () => {
    const a = workerRegistry('a');
    const b = workerRegistry('b');
    a.metrics.inferenceDuration.observe({ model: 'yolov8n', stage: 'infer' }, 0.02);
    a.metrics.inferenceDuration.observe({ model: 'yolov8n', stage: 'infer' }, 0.2);
    b.metrics.inferenceDuration.observe({ model: 'yolov8n', stage: 'infer' }, 0.03);
    a.metrics.jobsProcessed.inc({ task: 'detect', status: 'completed' }, 2);
    b.metrics.jobsProcessed.inc({ task: 'detect', status: 'completed' });
    a.metrics.modelLoad.set(1.5);
    b.metrics.modelLoad.set(2.5);

    const gateway = new Registry();
    const g = createGatewayMetrics(gateway, { tasks: ['detect'] });
    g.queueJobs.set({ queue: 'detect', state: 'waiting' }, 7);

    const merged = mergeMetrics([
      await gateway.getMetricsAsJSON(),
      await a.registry.getMetricsAsJSON(),
      await b.registry.getMetricsAsJSON(),
    ]);
    const text = await merged.metrics();

    expect(lines(text, 'argus_inference_duration_seconds_count')).toEqual([
      'argus_inference_duration_seconds_count{model="yolov8n",stage="infer",worker="a"} 2',
      'argus_inference_duration_seconds_count{model="yolov8n",stage="infer",worker="b"} 1',
    ]);
    expect(lines(text, 'argus_inference_duration_seconds_bucket{le="0.025"')).toEqual([
      'argus_inference_duration_seconds_bucket{le="0.025",model="yolov8n",stage="infer",worker="a"} 1',
      'argus_inference_duration_seconds_bucket{le="0.025",model="yolov8n",stage="infer",worker="b"} 0',
    ]);
    expect(text).toContain(
      'argus_inference_duration_seconds_bucket{le="0.25",model="yolov8n",stage="infer",worker="a"} 2',
    );
    expect(text).toContain(
      'argus_inference_duration_seconds_bucket{le="0.05",model="yolov8n",stage="infer",worker="b"} 1',
    );
    expect(lines(text, 'argus_jobs_processed_total{task="detect",status="completed"')).toEqual([
      'argus_jobs_processed_total{task="detect",status="completed",worker="a"} 2',
      'argus_jobs_processed_total{task="detect",status="completed",worker="b"} 1',
    ]);
    expect(lines(text, 'argus_model_load_seconds{')).toEqual([
      'argus_model_load_seconds{worker="a"} 1.5',
      'argus_model_load_seconds{worker="b"} 2.5',
    ]);
    expect(lines(text, 'argus_queue_jobs{')).toEqual(['argus_queue_jobs{queue="detect",state="waiting"} 7']);
    // One HELP/TYPE per family, even with three sources.
    expect(lines(text, '# TYPE argus_inference_duration_seconds ')).toEqual([
      '# TYPE argus_inference_duration_seconds histogram',
    ]);
  });

  it("keeps metrics prom-client's cluster aggregation would drop or average", async () => {
    const a = workerRegistry('a');
    const b = workerRegistry('b');
    const text = await mergeMetrics([
      await a.registry.getMetricsAsJSON(),
      await b.registry.getMetricsAsJSON(),
    ]).metrics();
    // `omit` by default: one start time per worker instead.
    expect(lines(text, 'process_start_time_seconds{')).toHaveLength(2);
    // `average` by default: per worker instead.
    expect(lines(text, 'nodejs_eventloop_lag_p99_seconds{')).toHaveLength(2);
    expect(lines(text, 'nodejs_eventloop_lag_p99_seconds{').every((l) => /worker="[ab]"/.test(l))).toBe(true);
  });
});
