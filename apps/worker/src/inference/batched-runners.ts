import {
  detectInputDims,
  parseOutputNames,
  splitBatchOutput,
  splitClothesOutput,
  splitParseOutputs,
  stackInputs,
  type ClothesNetOutput,
  type DetectModelInfo,
  type DetectRunner,
  type ParseModelInfo,
  type ParseNetOutput,
  type ParseRunners,
  protoShapeOf,
  type SegmentModelInfo,
  type SegmentNetOutput,
  type SegmentRunner,
} from '@argus/models';
import type { Size } from '@argus/vision';
import { Batcher } from '../batching/batcher';
import type { ModelServing } from '../batching/model-settings';
import type { SessionPool } from './session-pool';

/**
 * The bridge between the pipelines and the model instances: a model's batcher stacks the
 * prepared inputs of whichever jobs are waiting into one tensor, one instance runs it, and
 * each job gets its own slice of the output back. Stacking and splitting are the pipeline's
 * own pure functions, so a batched run answers exactly what a run alone would.
 */
export interface BatchedModel<Runner> {
  runner: Runner;
  batcher: Batcher<Float32Array, unknown>;
  pool: SessionPool;
}

function batcherOptions(serving: ModelServing) {
  return {
    maxBatchSize: serving.maxBatchSize,
    maxQueueDelayMs: serving.maxQueueDelayMs,
    preferredBatchSizes: serving.preferredBatchSizes,
    maxInFlight: serving.instances,
  };
}

export function batchedDetector(
  model: DetectModelInfo,
  pool: SessionPool,
  serving: ModelServing,
): BatchedModel<DetectRunner> {
  const { entry } = model;
  const plane = 3 * entry.preprocess.width * entry.preprocess.height;
  const outputName = entry.outputs.detections;
  const batcher = new Batcher<Float32Array, Float32Array>(batcherOptions(serving), async (inputs) => {
    const stacked = stackInputs(inputs, plane);
    const { outputs } = await pool.run(
      { [entry.input.name]: { data: stacked, dims: detectInputDims(entry, inputs.length) } },
      [outputName],
    );
    const output = outputs[outputName];
    if (!output) throw new Error(`model "${entry.id}" returned no output "${outputName}"`);
    return splitBatchOutput(output.data, inputs.length);
  });
  return { runner: (input) => batcher.submit(input), batcher, pool };
}

/**
 * The segmentation network's batcher. Its model has a fixed batch of one (int8 with dynamic
 * activation scales), so each run holds one input; the batcher still queues inputs for the
 * instances and gives the same timings as the other models.
 */
export function batchedSegmenter(
  model: SegmentModelInfo,
  pool: SessionPool,
  serving: ModelServing,
): BatchedModel<SegmentRunner> {
  const { entry } = model;
  const plane = 3 * entry.preprocess.width * entry.preprocess.height;
  const fetch = [entry.outputs.detections, entry.outputs.protos];
  const batcher = new Batcher<Float32Array, SegmentNetOutput>(batcherOptions(serving), async (inputs) => {
    const stacked = stackInputs(inputs, plane);
    const { outputs } = await pool.run(
      { [entry.input.name]: { data: stacked, dims: detectInputDims(entry, inputs.length) } },
      fetch,
    );
    const det = outputs[entry.outputs.detections];
    const protos = outputs[entry.outputs.protos];
    if (!det || !protos) throw new Error(`model "${entry.id}" returned no detections or protos`);
    const dets = splitBatchOutput(det.data, inputs.length);
    const protoSlices = splitBatchOutput(protos.data, inputs.length);
    const proto = protoShapeOf(protos.dims);
    return dets.map((detections, i) => ({ detections, protos: protoSlices[i], proto }));
  });
  return { runner: (input) => batcher.submit(input), batcher, pool };
}

/** The parse network's batcher: crops of any job batch together when they share an input size. */
export function batchedParser(
  model: ParseModelInfo,
  pool: SessionPool,
  serving: ModelServing,
): BatchedModel<ParseRunners['parts']> {
  const { entry } = model;
  const fetch = parseOutputNames(entry);
  const batcher = new Batcher<Float32Array, ParseNetOutput>(batcherOptions(serving), async (inputs, key) => {
    const size = sizeFromKey(key);
    const stacked = stackInputs(inputs, 3 * size.width * size.height);
    const { outputs } = await pool.run(
      { [entry.input.name]: { data: stacked, dims: [inputs.length, 3, size.height, size.width] } },
      fetch,
    );
    return splitParseOutputs(model, outputs, inputs.length);
  });
  const runner: ParseRunners['parts'] = (items) =>
    Promise.all(items.map(({ input, size }) => batcher.submit(input, keyOfSize(size))));
  return { runner, batcher, pool };
}

/** A fused model's skin / clothes / hair segmenter: fixed batch 1, so the batcher only queues its inputs for the instances. */
export function batchedClothesSegmenter(
  model: ParseModelInfo,
  pool: SessionPool,
  serving: ModelServing,
): BatchedModel<NonNullable<ParseRunners['clothes']>> {
  const { entry } = model;
  const { width, height } = entry.preprocess;
  const fetch = parseOutputNames(entry);
  const batcher = new Batcher<Float32Array, ClothesNetOutput>(batcherOptions(serving), async (inputs) => {
    const outs: ClothesNetOutput[] = [];
    for (const input of inputs) {
      const { outputs } = await pool.run(
        { [entry.input.name]: { data: input, dims: [1, 3, height, width] } },
        fetch,
      );
      outs.push(splitClothesOutput(entry, outputs));
    }
    return outs;
  });
  const runner: NonNullable<ParseRunners['clothes']> = (inputs) =>
    Promise.all(inputs.map((input) => batcher.submit(input)));
  return { runner, batcher, pool };
}

const keyOfSize = (size: Size) => `${size.width}x${size.height}`;

function sizeFromKey(key: string): Size {
  const [width, height] = key.split('x').map(Number);
  if (!(width > 0 && height > 0)) throw new Error(`batch key "${key}" is not an input size`);
  return { width, height };
}
