import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { AppError, JobDataSchema, type JobData, type JobReturn } from '@argus/contracts';
import type { ProcessorDeps } from './processor-deps';
import { toJobFailure } from './job-failure';
import { completedSnapshot, failedSnapshot } from '../lifecycle/job-snapshot';

export interface TaskOutput {
  result: { timings: Record<string, number> };
  /** Binary artifacts (PNGs) stored beside the result, by name. */
  artifacts?: Record<string, Uint8Array>;
}

/**
 * The flow every image task shares: re-validate job data, fetch the upload from Redis,
 * run the task, store artifacts and then the result (the result key doubles as the cache
 * entry, so it is written last: a cache hit always finds its artifacts), drop the upload.
 * Failures are classified for BullMQ by `toJobFailure`.
 */
export async function runImageJob(
  job: Job<JobData, JobReturn>,
  deps: ProcessorDeps,
  run: (data: JobData, image: Buffer) => Promise<TaskOutput>,
): Promise<JobReturn> {
  const log = deps.log.child({ jobId: job.id, requestId: job.data.requestId, task: job.data.task });
  try {
    const parsed = JobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new AppError('invalid_request', `malformed job data: ${parsed.error.message}`);
    const data = parsed.data;

    // A re-run of a job whose earlier attempt stored its result but lost its lock before
    // completing (a stall) must not fail for want of the upload it already consumed.
    if (await deps.results.has(data.resultKey)) {
      await deps.uploads.delete(data.blobKey);
      await job.updateProgress({ stage: 'done', percent: 100 });
      log.info('result already stored by an earlier attempt; completing', { resultKey: data.resultKey });
      await deps.events.ended(completedSnapshot(job));
      return { resultKey: data.resultKey };
    }
    await throwIfCanceled(job, deps);
    await job.updateProgress({ stage: 'decoding', percent: 10 });
    const image = await deps.uploads.get(data.blobKey);
    if (!image) {
      throw new AppError(
        'image_expired',
        'the uploaded image expired before a worker reached the job; submit it again',
      );
    }
    await job.updateProgress({ stage: 'inference', percent: 30 });
    const output = await run(data, image);
    // Time in the queue before this attempt started (the rest of `timings` comes from the model).
    if (job.processedOn) output.result.timings.queueWaitMs = Math.max(0, job.processedOn - job.timestamp);
    await throwIfCanceled(job, deps);
    await job.updateProgress({ stage: 'postprocess', percent: 90 });
    for (const [name, bytes] of Object.entries(output.artifacts ?? {})) {
      await deps.results.putArtifact(data.resultKey, name, bytes, deps.resultTtlSeconds);
    }
    await deps.results.put(data.resultKey, output.result, deps.resultTtlSeconds);
    await deps.uploads.delete(data.blobKey);
    await job.updateProgress({ stage: 'done', percent: 100 });
    // Callbacks are queued before BullMQ marks the job complete: a crash in between re-runs
    // the job, which queues them again under the same delivery ids (a no-op).
    await deps.events.ended(completedSnapshot(job));
    log.info('job done', output.result.timings);
    return { resultKey: data.resultKey, timings: output.result.timings };
  } catch (err) {
    const failure = toJobFailure(err);
    log.warn('job failed', { reason: failure.message, attempt: job.attemptsMade + 1 });
    const final = failure instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (final) {
      await deps.events
        .ended(failedSnapshot(job, failure.message))
        .catch((e: Error) => log.warn('could not queue failure callbacks', { err: e.message }));
    }
    throw failure;
  }
}

/** Stage boundary: a client asked (DELETE /v1/jobs/:id) for this running job to stop. */
async function throwIfCanceled(job: Job<JobData, JobReturn>, deps: ProcessorDeps): Promise<void> {
  if (job.id && (await deps.cancels.isRequested(job.id))) {
    throw new AppError('canceled', 'the job was canceled on request');
  }
}
