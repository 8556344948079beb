import { AppError, type DetectOptions, type ParseOptions, type SegmentOptions } from '@argus/contracts';
import { readImageHeader } from '@argus/vision';
import type { Inference } from './inference-protocol';
import type { PixelBudget } from './pixel-budget';

export type { Inference } from './inference-protocol';

type Output = Awaited<ReturnType<Inference['detect'] | Inference['parse'] | Inference['segment']>>;

export interface BoundedInferenceOptions {
  /** Per-job deadline (JOB_DEADLINE_MS), counted from the moment the job's pixels are admitted. */
  deadlineMs: number;
  budget: PixelBudget;
  /** The inference threads (`InferencePool`: detect and parse in separate lanes). */
  inference: Inference;
}

/**
 * The worker's bounds around its inference threads: a job waits until its decoded pixels fit
 * the worker's pixel budget, then has `deadlineMs` to finish, else it fails with `timeout`
 * (permanent: the same input would time out again). Work abandoned at the deadline keeps
 * its pixels reserved until the thread lets go of it, so memory stays bounded.
 *
 * Timings gain the time a job spent waiting: `pixelWaitMs` (for the budget) and
 * `threadWaitMs` (on its inference thread behind other jobs: wall time minus its own stages).
 */
export class BoundedInference implements Inference {
  constructor(private readonly opts: BoundedInferenceOptions) {}

  detect(modelId: string, image: Buffer, options: DetectOptions): ReturnType<Inference['detect']> {
    return this.bounded(image, () => this.opts.inference.detect(modelId, image, options));
  }

  segment(modelId: string, image: Buffer, options: SegmentOptions): ReturnType<Inference['segment']> {
    return this.bounded(image, () => this.opts.inference.segment(modelId, image, options));
  }

  parse(modelId: string, image: Buffer, options: ParseOptions): ReturnType<Inference['parse']> {
    return this.bounded(image, () => this.opts.inference.parse(modelId, image, options));
  }

  private async bounded<T extends Output>(image: Buffer, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const header = await readImageHeader(image);
    const release = await this.opts.budget.acquire(header.width * header.height);
    const admitted = performance.now();
    const work = run().finally(release);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              'timeout',
              `the job exceeded the worker's ${this.opts.deadlineMs} ms deadline (image ${header.width}x${header.height}); it is not retried`,
            ),
          ),
        this.opts.deadlineMs,
      );
    });
    work.catch(() => undefined); // when the deadline wins, the late failure is not unhandled
    try {
      const output = await Promise.race([work, deadline]);
      const timings = output.result.timings as Record<string, number>;
      const own = ['decodeMs', 'detectMs', 'inferMs', 'postMs'].reduce(
        (sum, k) => sum + (timings[k] ?? 0),
        0,
      );
      timings.pixelWaitMs = round(admitted - started);
      timings.threadWaitMs = round(Math.max(0, performance.now() - admitted - own));
      return output;
    } finally {
      clearTimeout(timer);
    }
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
