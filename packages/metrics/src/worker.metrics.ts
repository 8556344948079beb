import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Per-stage model timings: a few ms (pre/post on small images) to seconds (parse on CPU). */
export const INFERENCE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Queue wait and end-to-end latency: instant pick-up to a backlog of minutes. */
export const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
export const BATCH_SIZE_BUCKETS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];

/** The model stages a job's `timings` report (`decodeMs`, `preMs`, `inferMs`, `postMs`). */
export const INFERENCE_STAGES = ['decode', 'pre', 'infer', 'post'] as const;
export type InferenceStage = (typeof INFERENCE_STAGES)[number];

/** `argus_jobs_processed_total{status}`: done, out of attempts, or failed and queued for a retry. */
export const JOB_STATUSES = ['completed', 'failed', 'retried'] as const;
export type ProcessedStatus = (typeof JOB_STATUSES)[number];

export interface WorkerMetricsOptions {
  /** Tasks this worker serves: their counters start at 0. */
  tasks?: readonly string[];
}

/**
 * A worker's metrics, registered on `registry`. Workers set the registry's default label
 * `worker` to their id, so series of different workers never merge at the gateway. Labels
 * are bounded: `model` from the manifest, `task` from the job catalog, `code` a stable error
 * code.
 */
export function createWorkerMetrics(registry: Registry, opts: WorkerMetricsOptions = {}) {
  const registers = [registry];
  const metrics = {
    inferenceDuration: new Histogram({
      name: 'argus_inference_duration_seconds',
      help: 'Time of one stage of a job in the inference thread (decode, pre, infer, post), by model.',
      labelNames: ['model', 'stage'] as const,
      buckets: INFERENCE_BUCKETS,
      registers,
    }),
    queueWait: new Histogram({
      name: 'argus_queue_wait_seconds',
      help: 'Time a job waited in its queue before a worker took it, by task.',
      labelNames: ['task'] as const,
      buckets: WAIT_BUCKETS,
      registers,
    }),
    jobLatency: new Histogram({
      name: 'argus_job_latency_seconds',
      help: 'Time from submission to completion of a job (queue wait, retries and processing), by task.',
      labelNames: ['task'] as const,
      buckets: WAIT_BUCKETS,
      registers,
    }),
    batchSize: new Histogram({
      name: 'argus_batch_size',
      help: 'Images in the model run each job was part of (observed once per job), by model.',
      labelNames: ['model'] as const,
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    }),
    batchWait: new Histogram({
      name: 'argus_batch_wait_seconds',
      help: 'Time a job waited for its batch to fill before the model ran, by model.',
      labelNames: ['model'] as const,
      buckets: INFERENCE_BUCKETS,
      registers,
    }),
    jobsProcessed: new Counter({
      name: 'argus_jobs_processed_total',
      help: 'Job attempts finished by this worker, by task and status (completed, failed for good, retried).',
      labelNames: ['task', 'status'] as const,
      registers,
    }),
    jobFailures: new Counter({
      name: 'argus_job_failures_total',
      help: 'Failed job attempts by task and stable error code (retried ones included).',
      labelNames: ['task', 'code'] as const,
      registers,
    }),
    jobsStalled: new Counter({
      name: 'argus_jobs_stalled_total',
      help: "Jobs this worker's stalled check found without a lock (BullMQ moves them back to wait), by task.",
      labelNames: ['task'] as const,
      registers,
    }),
    modelLoad: new Gauge({
      name: 'argus_model_load_seconds',
      help: 'Time the worker took to verify and load its models (all sessions) at start.',
      registers,
    }),
    modelSessions: new Gauge({
      name: 'argus_model_sessions',
      help: 'ONNX Runtime sessions this worker holds, by model.',
      labelNames: ['model'] as const,
      registers,
    }),
    workerUp: new Gauge({
      name: 'argus_worker_up',
      help: 'Always 1 while the worker pushes snapshots; count() of it is the fleet size. `tasks` lists the queues it serves.',
      labelNames: ['tasks'] as const,
      registers,
    }),
  };
  for (const task of opts.tasks ?? []) {
    for (const status of JOB_STATUSES) metrics.jobsProcessed.inc({ task, status }, 0);
    metrics.jobsStalled.inc({ task }, 0);
  }
  return metrics;
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
