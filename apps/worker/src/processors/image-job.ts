import type { Job } from 'bullmq';
import { AppError, JobDataSchema, type JobData, type JobReturn } from '@argus/contracts';
import type { ProcessorDeps } from './processor-deps';
import { toJobFailure } from './job-failure';

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
    if (await deps.blobs.exists(data.resultKey)) {
      await deps.blobs.delete(data.blobKey);
      await job.updateProgress({ stage: 'done', percent: 100 });
      log.info('result already stored by an earlier attempt; completing', { resultKey: data.resultKey });
      return { resultKey: data.resultKey };
    }
    await job.updateProgress({ stage: 'decoding', percent: 10 });
    const image = await deps.blobs.get(data.blobKey);
    if (!image) {
      throw new AppError(
        'image_expired',
        'the uploaded image expired before a worker reached the job; submit it again',
      );
    }
    await job.updateProgress({ stage: 'inference', percent: 30 });
    const output = await run(data, image);
    await job.updateProgress({ stage: 'postprocess', percent: 90 });
    for (const [name, bytes] of Object.entries(output.artifacts ?? {})) {
      const key = deps.keys.artifact(data.resultKey, name);
      await deps.blobs.put(
        key,
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        deps.resultTtlSeconds,
      );
    }
    await deps.blobs.putJson(data.resultKey, output.result, deps.resultTtlSeconds);
    await deps.blobs.delete(data.blobKey);
    await job.updateProgress({ stage: 'done', percent: 100 });
    log.debug('job done', output.result.timings);
    return { resultKey: data.resultKey, timings: output.result.timings };
  } catch (err) {
    const failure = toJobFailure(err);
    log.warn('job failed', { reason: failure.message, attempt: job.attemptsMade + 1 });
    throw failure;
  }
}
