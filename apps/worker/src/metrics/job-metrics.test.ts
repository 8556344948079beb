import { Registry, createWorkerMetrics } from '@argus/metrics';
import { recordCompleted, recordFailed } from './job-metrics';

type Sample = Record<string, string | number | undefined> & { metricName?: string; value: number };

async function values(registry: Registry, name: string): Promise<Sample[]> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).map((v) => ({
    ...v.labels,
    metricName: (v as { metricName?: string }).metricName,
    value: v.value,
  }));
}

function setup() {
  const registry = new Registry();
  return { registry, metrics: createWorkerMetrics(registry, { tasks: ['detect'] }) };
}

describe('recordCompleted', () => {
  it('records every stage the result reports, batch size and wait, queue wait and latency', async () => {
    const { registry, metrics } = setup();
    recordCompleted(
      metrics,
      { task: 'detect', model: 'yolov8n', createdAt: 1_000, startedAt: 1_250, finishedAt: 1_600 },
      { decodeMs: 40, preMs: 5, inferMs: 90, postMs: 8, batchSize: 3, batchWaitMs: 12, queueWaitMs: 200 },
    );
    const sums = (await values(registry, 'argus_inference_duration_seconds')).filter(
      (v) => v.metricName === 'argus_inference_duration_seconds_sum',
    );
    expect(sums.map((s) => [s.stage, s.value])).toEqual([
      ['decode', 0.04],
      ['pre', 0.005],
      ['infer', 0.09],
      ['post', 0.008],
    ]);
    const sumOf = async (name: string) =>
      (await values(registry, name)).find((v) => v.metricName === `${name}_sum`)?.value;
    expect(await sumOf('argus_batch_size')).toBe(3);
    expect(await sumOf('argus_batch_wait_seconds')).toBe(0.012);
    // The reported queue wait wins over BullMQ's timestamps (250 ms).
    expect(await sumOf('argus_queue_wait_seconds')).toBe(0.2);
    expect(await sumOf('argus_job_latency_seconds')).toBe(0.6);
    expect(await values(registry, 'argus_jobs_processed_total')).toContainEqual(
      expect.objectContaining({ task: 'detect', status: 'completed', value: 1 }),
    );
  });

  it('records only what is present: BullMQ timestamps for the wait, a batch of one without batching', async () => {
    const { registry, metrics } = setup();
    recordCompleted(
      metrics,
      { task: 'detect', model: 'yolov8n', createdAt: 1_000, startedAt: 1_100 },
      { decodeMs: 40, inferMs: 90 },
      1_500,
    );
    const stages = (await values(registry, 'argus_inference_duration_seconds'))
      .filter((v) => v.metricName === 'argus_inference_duration_seconds_count')
      .map((v) => v.stage);
    expect(stages).toEqual(['decode', 'infer']);
    const count = async (name: string) =>
      (await values(registry, name)).find((v) => v.metricName === `${name}_count`)?.value ?? 0;
    expect(await count('argus_batch_size')).toBe(1);
    expect(await count('argus_batch_wait_seconds')).toBe(0);
    const wait = (await values(registry, 'argus_queue_wait_seconds')).find(
      (v) => v.metricName === 'argus_queue_wait_seconds_sum',
    );
    expect(wait?.value).toBe(0.1);
    const latency = (await values(registry, 'argus_job_latency_seconds')).find(
      (v) => v.metricName === 'argus_job_latency_seconds_sum',
    );
    expect(latency?.value).toBe(0.5);
  });

  it('counts a job completed from an earlier attempt (no timings) without inventing a batch', async () => {
    const { registry, metrics } = setup();
    recordCompleted(metrics, { task: 'detect', model: 'yolov8n', createdAt: 1_000, finishedAt: 2_000 });
    expect(
      (await values(registry, 'argus_batch_size')).find((v) => v.metricName === 'argus_batch_size_count'),
    ).toBeUndefined();
    expect(await values(registry, 'argus_jobs_processed_total')).toContainEqual(
      expect.objectContaining({ status: 'completed', value: 1 }),
    );
  });
});

describe('recordFailed', () => {
  it('counts final failures and retries apart, by the stable code of the failure', async () => {
    const { registry, metrics } = setup();
    recordFailed(metrics, 'detect', 'invalid_image: the image cannot be decoded', true);
    recordFailed(metrics, 'detect', 'inference_failed: onnx exploded', false);
    recordFailed(metrics, 'detect', 'something without a code', false);
    const processed = await values(registry, 'argus_jobs_processed_total');
    expect(processed).toContainEqual(expect.objectContaining({ status: 'failed', value: 1 }));
    expect(processed).toContainEqual(expect.objectContaining({ status: 'retried', value: 2 }));
    const codes = (await values(registry, 'argus_job_failures_total')).map((v) => [v.code, v.value]);
    expect(codes).toEqual([
      ['invalid_image', 1],
      ['inference_failed', 1],
      ['internal', 1],
    ]);
  });
});
