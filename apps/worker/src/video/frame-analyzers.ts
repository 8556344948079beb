import { AppError, DetectOptionsSchema, ParseOptionsSchema, type JobData } from '@argus/contracts';
import type { Inference } from '../inference/inference-protocol';
import type { FrameAnalysis } from './video-detect';

/**
 * The per-frame model call of a video job or a live stream, by task. detect: the boxes. parse: the parsed
 * people, each also as a `person` box so the tracker follows people exactly as it follows
 * detections; masks are kept (run-length encoded) for the annotated video.
 */
export function frameAnalyzer(
  data: Pick<JobData, 'task' | 'modelId' | 'options'>,
  inference: Pick<Inference, 'detect' | 'parse'>,
): (png: Buffer) => Promise<FrameAnalysis> {
  if (data.task === 'detect') {
    const parsed = DetectOptionsSchema.safeParse(data.options);
    if (!parsed.success) throw new AppError('invalid_option', parsed.error.message);
    // The per-frame overlay PNG is never wanted: the annotated video replaces it.
    const options = { ...parsed.data, overlay: false };
    return async (png) => {
      const { result } = await inference.detect(data.modelId, png, options);
      return { detections: result.detections, model: result.model };
    };
  }
  const parsed = ParseOptionsSchema.safeParse(data.options);
  if (!parsed.success) throw new AppError('invalid_option', parsed.error.message);
  const options = parsed.data;
  return async (png) => {
    const { result } = await inference.parse(data.modelId, png, options);
    return {
      detections: result.persons.map((p) => ({
        label: 'person',
        classId: 0,
        confidence: p.score,
        box: p.box,
      })),
      persons: result.persons.map(({ box, score, parts, mask }) => ({ box, score, parts, mask })),
      model: result.model,
    };
  };
}
