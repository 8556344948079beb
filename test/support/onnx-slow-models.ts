/**
 * Ready-made ONNX models that are slow on purpose (written with onnx-writer.ts), for timeout,
 * lock-renewal and concurrency tests: `buildSlowModel` (a MatMul chain that takes seconds) and
 * `buildSlowDetectorModel` (the same, with a YOLOv8 detector's signature).
 */
import { attr, writeOnnxModel, type NodeSpec } from './onnx-writer';

export interface SlowModelOptions {
  /** Width of the input and of the square shared weight. Default 2048. */
  size?: number;
  /** Number of chained MatMul nodes. Default 16. */
  repeats?: number;
  /**
   * Rows the input is broadcast to before the chain; each MatMul then costs
   * 2·rows·size² flops. Default `size` (a square chain). Use 1 for a near-instant model.
   */
  rows?: number;
  /** Default "x". */
  inputName?: string;
  /** Default "y". */
  outputName?: string;
}

/**
 * A model that is slow on purpose, for timeout, lock-renewal and concurrency tests.
 *
 * Graph: `x` float32 [1,size] → Expand to [rows,size] → `repeats` × MatMul with one shared
 * [size,size] weight whose every entry is 1/size → ReduceMean over rows → `y` float32 [1,size].
 * Each MatMul replaces every entry of a row by the row's mean, so `y[j] = mean(x)` for every j:
 * a result the test can check, and it stays finite however long the chain is.
 *
 * Cost is 2·rows·size²·repeats flops (275 Gflop at the defaults). Measured with
 * onnxruntime-node 1.30 on the 2-core build VM (graphOptimizationLevel `all`, sequential, warm
 * session), ms per run:
 *
 * | size | repeats | rows | 2 threads, idle | 1 thread, idle | 2 threads, load ≈ 4 |
 * |------|---------|------|-----------------|----------------|---------------------|
 * | 2048 | 16 | 1 (matrix-vector) | 2–4 | – | 15–28 |
 * | 2048 | 16 | 512 | – | – | 770–800 |
 * | 2048 | 16 | 1024 | 710–1,060 | 1,410–1,510 | 1,600–2,900 |
 * | 2048 | 16 | **2048 (default)** | **1,530–1,850** | 2,920–3,060 | 3,300–5,300 |
 *
 * The time is linear in rows·repeats (scale `rows` for other durations) and roughly doubles
 * when the cores are busy with other work.
 */
export function buildSlowModel(file: string, opts: SlowModelOptions = {}): void {
  const size = opts.size ?? 2048;
  const repeats = opts.repeats ?? 16;
  const rows = opts.rows ?? size;
  const x = opts.inputName ?? 'x';
  const y = opts.outputName ?? 'y';
  if (repeats < 1) throw new RangeError('repeats must be at least 1');
  const weight = new Float32Array(size * size).fill(1 / size);
  const nodes: NodeSpec[] = [{ opType: 'Expand', inputs: [x, 'expand_shape'], outputs: ['h0'] }];
  for (let i = 0; i < repeats; i++) {
    nodes.push({ opType: 'MatMul', inputs: [`h${i}`, 'w'], outputs: [`h${i + 1}`] });
  }
  nodes.push({
    opType: 'ReduceMean',
    inputs: [`h${repeats}`],
    outputs: [y],
    attributes: { axes: attr.ints([0]), keepdims: attr.int(1) },
  });
  writeOnnxModel(file, {
    opsetImports: [{ version: 13 }],
    graph: {
      name: 'slow_matmul_chain',
      nodes,
      initializers: [
        { name: 'w', dims: [size, size], data: weight },
        { name: 'expand_shape', dims: [2], data: BigInt64Array.from([BigInt(rows), BigInt(size)]) },
      ],
      inputs: [{ name: x, shape: [1, size] }],
      outputs: [{ name: y, shape: [1, size] }],
    },
  });
}

export interface SlowDetectorModelOptions {
  /** Number of chained MatMul nodes; the run time is linear in it. Default 112. */
  repeats?: number;
  /** Input side (square, 3 channels). Default 640, as YOLOv8. */
  inputSize?: number;
  /** Default 80 (COCO). */
  numClasses?: number;
  /** Default 8400, YOLOv8's anchor count at 640. */
  numAnchors?: number;
  /** Default "images". */
  inputName?: string;
  /** Default "output0". */
  outputName?: string;
}

/**
 * A slow stand-in with the signature of the YOLOv8 detector (`images` float32 [1,3,640,640] →
 * `output0` float32 [1,84,8400]) whose output is all zeros, so every image gives 0 detections
 * at any confidence above 0: for lock-renewal and timeout tests through the real worker.
 *
 * Graph: the input reshaped to [rows,2048] (rows = 3·640·640/2048 = 600) → `repeats` × MatMul
 * with one shared 2048×2048 weight whose entries are 1/2048 (so values stay those of the input's
 * row means) → ReduceMean to one number → Mul by 0 → Expand to [1,84,8400]. The output depends
 * on the whole chain, so onnxruntime cannot prune it.
 *
 * Cost is 2·600·2048²·repeats flops (≈ 5 Gflop per MatMul, 564 Gflop at the default 112).
 * Measured with onnxruntime-node 1.30 on the 2-core build VM (graphOptimizationLevel `all`,
 * sequential, 2 intra-op threads), ms per run at the default 112: 3,100–3,700 when the
 * machine is otherwise idle (`buildSlowModel`'s default ran 1,490–1,980 alongside), 4,400–7,200
 * while other test suites share the cores. The time is linear in `repeats`.
 */
export function buildSlowDetectorModel(file: string, opts: SlowDetectorModelOptions = {}): void {
  const size = 2048;
  const repeats = opts.repeats ?? 112;
  const inputSize = opts.inputSize ?? 640;
  const numClasses = opts.numClasses ?? 80;
  const numAnchors = opts.numAnchors ?? 8400;
  const input = opts.inputName ?? 'images';
  const output = opts.outputName ?? 'output0';
  if (repeats < 1) throw new RangeError('repeats must be at least 1');
  const elements = 3 * inputSize * inputSize;
  if (elements % size !== 0) throw new RangeError(`3·${inputSize}² is not a multiple of ${size}`);
  const rows = elements / size;

  const nodes: NodeSpec[] = [{ opType: 'Reshape', inputs: [input, 'rows_shape'], outputs: ['h0'] }];
  for (let i = 0; i < repeats; i++) {
    nodes.push({ opType: 'MatMul', inputs: [`h${i}`, 'w'], outputs: [`h${i + 1}`] });
  }
  nodes.push(
    // No axes: reduce everything to a [1,1] mean.
    {
      opType: 'ReduceMean',
      inputs: [`h${repeats}`],
      outputs: ['mean'],
      attributes: { keepdims: attr.int(1) },
    },
    { opType: 'Mul', inputs: ['mean', 'zero'], outputs: ['nothing'] },
    { opType: 'Expand', inputs: ['nothing', 'output_shape'], outputs: [output] },
  );
  writeOnnxModel(file, {
    opsetImports: [{ version: 13 }],
    metadata: {
      description: 'slow YOLOv8-signature test detector: all-zero output, see test/support/onnx-builder.ts',
    },
    graph: {
      name: 'slow_detector',
      nodes,
      initializers: [
        { name: 'w', dims: [size, size], data: new Float32Array(size * size).fill(1 / size) },
        { name: 'rows_shape', dims: [2], data: BigInt64Array.from([BigInt(rows), BigInt(size)]) },
        { name: 'zero', dims: [], data: [0] },
        {
          name: 'output_shape',
          dims: [3],
          data: BigInt64Array.from([1n, BigInt(4 + numClasses), BigInt(numAnchors)]),
        },
      ],
      inputs: [{ name: input, shape: [1, 3, inputSize, inputSize] }],
      outputs: [{ name: output, shape: [1, 4 + numClasses, numAnchors] }],
    },
  });
}
