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
    // The arena stays (without it each run's activations are fresh pages: ~1.8× the CPU per
    // image with MALLOC_MMAP_THRESHOLD_ set), but without memory patterns: a pattern is
    // planned and kept per input shape, so batches of 1 to 4 held ~30 % more memory for good
    // at the same speed (measured on yolov8n, bench/RESULTS.md part 7).
    enableCpuMemArena: true,
    enableMemPattern: false,
  });
}

/** A float32 tensor as plain data: what a run takes and gives, and what threads pass around. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

/** One run of a network: named float32 inputs in, the fetched outputs out. */
export type SessionRun = (
  feeds: Readonly<Record<string, TensorData>>,
  fetch: readonly string[],
) => Promise<Record<string, TensorData>>;

/** The only place a session runs: every pipeline and batcher reaches its network through this. */
export function sessionRun(session: ort.InferenceSession): SessionRun {
  return async (feeds, fetch) => {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', t.data, t.dims);
    const result = await session.run(tensors, [...fetch]);
    const outputs: Record<string, TensorData> = {};
    for (const name of fetch) {
      const tensor = result[name];
      if (!tensor) throw new Error(`the model returned no output "${name}"`);
      if (tensor.type !== 'float32') throw new Error(`output "${name}" is ${tensor.type}, expected float32`);
      outputs[name] = { data: tensor.data as Float32Array, dims: [...tensor.dims] };
    }
    return outputs;
  };
}

export { ort };
