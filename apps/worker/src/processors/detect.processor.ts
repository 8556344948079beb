import type { Job } from 'bullmq';
import {
  AppError,
  DetectOptionsSchema,
  JobDataSchema,
  type JobData,
  type JobReturn,
} from '@argus/contracts';
import type { ProcessorDeps } from './processor-deps';
import { toJobFailure } from './job-failure';

/**
 * detect: load the upload from Redis, run the model off-thread, store the result under
 * its cache key. The job's return value is only a reference to that key.
 */
export async function detectProcessor(job: Job<JobData, JobReturn>, deps: ProcessorDeps): Promise<JobReturn> {
  const log = deps.log.child({ jobId: job.id, requestId: job.data.requestId });
  try {
    const data = JobDataSchema.safeParse(job.data);
    if (!data.success) throw new AppError('invalid_request', `malformed job data: ${data.error.message}`);
    const options = DetectOptionsSchema.safeParse(data.data.options);
    if (!options.success) throw new AppError('invalid_option', options.error.message);

    await job.updateProgress({ stage: 'decoding', percent: 10 });
    const image = await deps.blobs.get(data.data.blobKey);
    if (!image) {
      throw new AppError('image_expired', 'the uploaded image expired before a worker reached the job; submit it again');
    }
    await job.updateProgress({ stage: 'inference', percent: 30 });
    const result = await deps.inference.detect(data.data.modelId, image, options.data);
    await job.updateProgress({ stage: 'postprocess', percent: 90 });
    await deps.blobs.putJson(data.data.resultKey, result, deps.resultTtlSeconds);
    await deps.blobs.delete(data.data.blobKey);
    await job.updateProgress({ stage: 'done', percent: 100 });
    log.debug('detect done', { count: result.count, ...result.timings });
    return { resultKey: data.data.resultKey, timings: result.timings };
  } catch (err) {
    const failure = toJobFailure(err);
    log.warn('detect failed', { reason: failure.message, attempt: job.attemptsMade + 1 });
    throw failure;
  }
}
