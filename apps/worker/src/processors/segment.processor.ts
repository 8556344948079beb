import type { Job } from 'bullmq';
import { AppError, SegmentOptionsSchema, type JobData, type JobReturn } from '@argus/contracts';
import type { ProcessorDeps } from './processor-deps';
import { runImageJob } from './image-job';

/** segment: YOLOv8-seg instances with RLE masks; with `overlay` (the default) also a PNG. */
export function segmentProcessor(job: Job<JobData, JobReturn>, deps: ProcessorDeps): Promise<JobReturn> {
  return runImageJob(job, deps, async (data, image) => {
    const options = SegmentOptionsSchema.safeParse(data.options);
    if (!options.success) throw new AppError('invalid_option', options.error.message);
    return deps.inference.segment(data.modelId, image, options.data);
  });
}
