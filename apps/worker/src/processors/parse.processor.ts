import type { Job } from 'bullmq';
import { AppError, ParseOptionsSchema, type JobData, type JobReturn } from '@argus/contracts';
import type { ProcessorDeps } from './processor-deps';
import { runImageJob } from './image-job';
import { runVideoJob } from './video-job';

/** parse: per-person body parts; the overlay, label map and person masks are PNG artifacts. Videos: per frame, tracked. */
export function parseProcessor(job: Job<JobData, JobReturn>, deps: ProcessorDeps): Promise<JobReturn> {
  if (job.data.media === 'video') return runVideoJob(job, deps);
  return runImageJob(job, deps, async (data, image) => {
    const options = ParseOptionsSchema.safeParse(data.options);
    if (!options.success) throw new AppError('invalid_option', options.error.message);
    return deps.inference.parse(data.modelId, image, options.data);
  });
}
