import {
  runClothesBatch,
  runDetectBatch,
  runParseBatch,
  runSegmentBatch,
  type DetectModelInfo,
  type DetectRunner,
  type ParseModelInfo,
  type ParseRunners,
  type SegmentModelInfo,
  type SegmentRunner,
  type SessionRun,
} from '@argus/models';
import type { Size } from '@argus/vision';
import { Batcher, type BatcherOptions } from '../batching/batcher';
import type { ModelServing } from '../batching/model-settings';

/**
 * The bridge between the pipelines and a model's session: its batcher stacks the prepared
 * inputs of whichever jobs are waiting into one run, and each job gets its own slice of the
 * output back. The run itself is the models package's `run…Batch` (the one run path of each
 * network), so a batched run answers exactly what a run alone would.
 */
export interface BatchedModel<Runner> {
  runner: Runner;
  batcher: Batcher<Float32Array, unknown>;
}

/** One session per model per thread, so one batch in flight per batcher. */
function batcherOptions(serving: ModelServing): BatcherOptions {
  return {
    maxBatchSize: serving.maxBatchSize,
    maxQueueDelayMs: serving.maxQueueDelayMs,
    preferredBatchSizes: serving.preferredBatchSizes,
    maxInFlight: 1,
  };
}

export function batchedDetector(
  model: DetectModelInfo,
  run: SessionRun,
  serving: ModelServing,
): BatchedModel<DetectRunner> {
  const batcher = new Batcher<Float32Array, Float32Array>(batcherOptions(serving), (inputs) =>
    runDetectBatch(model, run, inputs),
  );
  return { runner: (input) => batcher.submit(input), batcher };
}

/** The segmentation network (a fixed batch of one): the batcher queues its inputs for the session. */
export function batchedSegmenter(
  model: SegmentModelInfo,
  run: SessionRun,
  serving: ModelServing,
): BatchedModel<SegmentRunner> {
  const batcher = new Batcher(batcherOptions(serving), (inputs: Float32Array[]) =>
    runSegmentBatch(model, run, inputs),
  );
  return { runner: (input) => batcher.submit(input), batcher };
}

/** The parse network: crops of any job batch together when they share an input size. */
export function batchedParser(
  model: ParseModelInfo,
  run: SessionRun,
  serving: ModelServing,
): BatchedModel<ParseRunners['parts']> {
  const batcher = new Batcher(batcherOptions(serving), (inputs: Float32Array[], key: string) =>
    runParseBatch(model, run, inputs, sizeFromKey(key)),
  );
  const runner: ParseRunners['parts'] = (items) =>
    Promise.all(items.map(({ input, size }) => batcher.submit(input, keyOfSize(size))));
  return { runner, batcher };
}

/** A fused model's skin / clothes / hair segmenter (fixed batch of one). */
export function batchedClothesSegmenter(
  model: ParseModelInfo,
  run: SessionRun,
  serving: ModelServing,
): BatchedModel<NonNullable<ParseRunners['clothes']>> {
  const batcher = new Batcher(batcherOptions(serving), (inputs: Float32Array[]) =>
    runClothesBatch(model.entry, run, inputs),
  );
  const runner: NonNullable<ParseRunners['clothes']> = (inputs) =>
    Promise.all(inputs.map((input) => batcher.submit(input)));
  return { runner, batcher };
}

const keyOfSize = (size: Size) => `${size.width}x${size.height}`;

function sizeFromKey(key: string): Size {
  const [width, height] = key.split('x').map(Number);
  if (!(width > 0 && height > 0)) throw new Error(`batch key "${key}" is not an input size`);
  return { width, height };
}
