import * as ort from 'onnxruntime-node';
import os from 'node:os';

export interface SessionOptions {
  /** Intra-op threads; 0 = one per core. */
  intraOpThreads: number;
}

/** Creates one CPU inference session with full graph optimisation. */
export async function createSession(file: string, opts: SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: opts.intraOpThreads > 0 ? opts.intraOpThreads : os.availableParallelism(),
    interOpNumThreads: 1,
  });
}

export { ort };
