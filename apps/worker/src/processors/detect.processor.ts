import type { Job } from 'bullmq';
import { AppError, DetectOptionsSchema, type JobData, type JobReturn } from '@argus/contracts';
import type { ProcessorDeps } from './processor-deps';
import { runImageJob } from './image-job';
import { runVideoJob } from './video-job';

/** detect: YOLO boxes for one image (with `overlay` also a PNG of the labelled boxes), or for a video's frames. */
export function detectProcessor(job: Job<JobData, JobReturn>, deps: ProcessorDeps): Promise<JobReturn> {
  if (job.data.media === 'video') return runVideoJob(job, deps);
  return runImageJob(job, deps, async (data, image) => {
    const options = DetectOptionsSchema.safeParse(data.options);
    if (!options.success) throw new AppError('invalid_option', options.error.message);
    return deps.inference.detect(data.modelId, image, options.data);
  });
}
