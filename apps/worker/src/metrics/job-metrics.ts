import { parseFailure } from '@argus/contracts';
import type { InferenceStage, WorkerMetrics } from '@argus/metrics';

/** `timings` fields of a job's result, by the stage label they are recorded under. */
const STAGE_FIELDS: [string, InferenceStage][] = [
  ['decodeMs', 'decode'],
  ['preMs', 'pre'],
  ['inferMs', 'infer'],
  ['postMs', 'post'],
];

/** What metrics need of a finished job (a BullMQ job has all of it). */
export interface FinishedJob {
  task: string;
  model: string;
  /** When the job was added (ms). */
  createdAt: number;
  /** When this attempt started (ms). */
  startedAt?: number;
  /** When it finished (ms). */
  finishedAt?: number;
}

const seconds = (ms: number) => Math.max(0, ms) / 1000;

/**
 * Records a completed job: stage durations, batch size and batch wait, queue wait and
 * end-to-end latency. Only the timings the result reports are recorded; the queue wait
 * falls back to BullMQ's own timestamps when the result does not report `queueWaitMs`.
 * A job without a reported `batchSize` ran alone, a batch of one, when it ran the model.
 */
export function recordCompleted(
  metrics: WorkerMetrics,
  job: FinishedJob,
  timings: Record<string, number> = {},
  now = Date.now(),
): void {
  const { task, model } = job;
  metrics.jobsProcessed.inc({ task, status: 'completed' });
  for (const [field, stage] of STAGE_FIELDS) {
    const ms = timings[field];
    if (typeof ms === 'number' && Number.isFinite(ms)) {
      metrics.inferenceDuration.observe({ model, stage }, seconds(ms));
    }
  }
  const ranModel = typeof timings.inferMs === 'number';
  const batchSize = timings.batchSize ?? (ranModel ? 1 : undefined);
  if (typeof batchSize === 'number' && batchSize > 0) metrics.batchSize.observe({ model }, batchSize);
  if (typeof timings.batchWaitMs === 'number')
    metrics.batchWait.observe({ model }, seconds(timings.batchWaitMs));

  const queueWaitMs =
    timings.queueWaitMs ?? (job.startedAt !== undefined ? job.startedAt - job.createdAt : undefined);
  if (typeof queueWaitMs === 'number') metrics.queueWait.observe({ task }, seconds(queueWaitMs));
  metrics.jobLatency.observe({ task }, seconds((job.finishedAt ?? now) - job.createdAt));
}

/** Records a failed attempt: `failed` when it is final, `retried` when BullMQ will try again. */
export function recordFailed(metrics: WorkerMetrics, task: string, reason: string, final: boolean): void {
  metrics.jobsProcessed.inc({ task, status: final ? 'failed' : 'retried' });
  metrics.jobFailures.inc({ task, code: parseFailure(reason).code });
}
