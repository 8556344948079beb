import { UnrecoverableError, type Worker } from 'bullmq';
import type { Logger } from '@argus/config';
import type { JobData, JobReturn, Task } from '@argus/contracts';
import {
  Registry,
  collectDefaultMetrics,
  createWorkerMetrics,
  startSnapshotPusher,
  StreamMetrics,
  type SnapshotPusher,
  type SnapshotSink,
  type WorkerMetrics,
} from '@argus/metrics';
import { recordCompleted, recordFailed } from './job-metrics';

export interface WorkerTelemetryOptions {
  /** The worker's id: its `worker` label and the source of its snapshots. */
  workerId: string;
  tasks: readonly Task[];
  /** Where snapshots go (the data layer's MetricsSnapshotStore). */
  snapshots: SnapshotSink;
  pushIntervalMs: number;
  log: Logger;
}

/**
 * A worker's metrics: its own registry (every series labelled `worker=<id>`, plus
 * prom-client's process and Node.js metrics), fed by the BullMQ workers' events and pushed
 * to Redis for the gateway's `/metrics` every `pushIntervalMs`.
 */
export class WorkerTelemetry {
  readonly registry = new Registry();
  readonly metrics: WorkerMetrics;
  /** Per-stream series of the live streams this worker holds. */
  readonly streams: StreamMetrics;
  private pusher?: SnapshotPusher;

  constructor(private readonly opts: WorkerTelemetryOptions) {
    this.registry.setDefaultLabels({ worker: opts.workerId });
    this.metrics = createWorkerMetrics(this.registry, { tasks: opts.tasks });
    this.streams = new StreamMetrics(this.registry);
    collectDefaultMetrics({ register: this.registry, labels: { service: 'worker' } });
    this.metrics.workerUp.set({ tasks: [...opts.tasks].sort().join(',') }, 1);
  }

  modelsLoaded(models: readonly string[], loadSeconds: number): void {
    this.metrics.modelLoad.set(loadSeconds);
    for (const model of models) this.metrics.modelSessions.set({ model }, 1);
  }

  /** Counts every attempt the BullMQ worker of `task` finishes. */
  observe(worker: Worker<JobData, JobReturn, Task>, task: Task): void {
    worker.on('completed', (job, result) => {
      recordCompleted(
        this.metrics,
        {
          task,
          model: job.data.modelId,
          createdAt: job.timestamp,
          startedAt: job.processedOn,
          finishedAt: job.finishedOn,
        },
        result?.timings,
      );
    });
    worker.on('failed', (job, err) => {
      const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      recordFailed(this.metrics, task, err.message, final);
    });
    worker.on('stalled', () => this.metrics.jobsStalled.inc({ task }));
  }

  /** Starts pushing snapshots; resolves once the first one is written (or failed, logged). */
  start(): Promise<void> {
    this.pusher ??= startSnapshotPusher({
      registry: this.registry,
      store: this.opts.snapshots,
      source: this.opts.workerId,
      intervalMs: this.opts.pushIntervalMs,
      log: this.opts.log,
    });
    return this.pusher.pushNow();
  }

  /** A last push, so the final jobs are counted; the snapshot then expires with its TTL. */
  async close(): Promise<void> {
    await this.pusher?.stop();
  }
}
