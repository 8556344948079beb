import type { InferenceSession } from 'onnxruntime-node';
import type { DetectOptions, DetectResult, Detection } from '@argus/contracts';
import {
  decodeLetterboxed,
  decodeYoloOutput,
  nms,
  toChwTensor,
  unletterboxBox,
  type DecodeLimits,
  type Letterbox,
  type ScoredBox,
} from '@argus/vision';
import type { ModelEntry } from './manifest.schema';
import { sessionRun, type SessionRun } from './session';

/** A loaded detection model: manifest entry, session and label names. */
export interface DetectModel {
  entry: ModelEntry;
  session: InferenceSession;
  labels: string[];
}

/** What pre- and postprocessing need of a detection model: everything but the session. */
export type DetectModelInfo = Omit<DetectModel, 'session'>;

export interface PreparedImage {
  /** CHW float tensor data for one image. */
  input: Float32Array;
  letterbox: Letterbox;
  /** Decode, EXIF orientation and letterbox resize (libvips). */
  decodeMs: number;
  /** Interleaved bytes → normalised CHW floats. */
  preMs: number;
}

/** Decode + letterbox + normalise: everything before the session. */
export async function preprocessDetect(
  bytes: Buffer,
  entry: ModelEntry,
  limits: DecodeLimits,
): Promise<PreparedImage> {
  const started = performance.now();
  const { width, height, pad, scale, offset } = entry.preprocess;
  const { rgb, letterbox } = await decodeLetterboxed(bytes, { width, height }, pad, limits);
  const decoded = performance.now();
  const input = toChwTensor(rgb, width, height, { scale, offset, channelOrder: 'rgb' });
  return { input, letterbox, decodeMs: decoded - started, preMs: performance.now() - decoded };
}

// ---------------------------------------------------------------------------------------------
// Batches: stacking inputs and splitting outputs are pure, so the worker's batcher stacks and
// splits with exactly the code `runDetectBatch` uses.

/** Copies same-sized CHW inputs into one NCHW buffer (one input is used as it is). */
export function stackInputs(inputs: readonly Float32Array[], plane: number): Float32Array {
  for (const input of inputs) {
    if (input.length !== plane) throw new RangeError(`input has ${input.length} values, expected ${plane}`);
  }
  if (inputs.length === 1) return inputs[0];
  const stacked = new Float32Array(plane * inputs.length);
  inputs.forEach((input, i) => stacked.set(input, i * plane));
  return stacked;
}

/** `[n, 3, height, width]` of a detection model's input. */
export function detectInputDims(entry: ModelEntry, n: number): number[] {
  return [n, 3, entry.preprocess.height, entry.preprocess.width];
}

/** Each image's slice of a batched output (views, no copy). */
export function splitBatchOutput(data: Float32Array, n: number): Float32Array[] {
  if (n < 1 || data.length % n !== 0) {
    throw new Error(`an output of ${data.length} values does not split into ${n} images`);
  }
  const per = data.length / n;
  return Array.from({ length: n }, (_, i) => data.subarray(i * per, (i + 1) * per));
}

/**
 * Runs a batch of prepared inputs and returns each image's own output slice: the one run
 * path of a detector, used by the worker's batcher and by the tools' direct runners alike.
 * Models with a fixed batch of one run image by image.
 */
export async function runDetectBatch(
  model: DetectModelInfo,
  run: SessionRun,
  inputs: readonly Float32Array[],
): Promise<Float32Array[]> {
  const { entry } = model;
  if (!entry.batch.dynamic && inputs.length > 1) {
    const outs: Float32Array[] = [];
    for (const input of inputs) outs.push(...(await runDetectBatch(model, run, [input])));
    return outs;
  }
  const stacked = stackInputs(inputs, 3 * entry.preprocess.width * entry.preprocess.height);
  const outputName = entry.outputs.detections;
  const outputs = await run(
    { [entry.input.name]: { data: stacked, dims: detectInputDims(entry, inputs.length) } },
    [outputName],
  );
  return splitBatchOutput(outputs[outputName].data, inputs.length);
}

// ---------------------------------------------------------------------------------------------
// Runners: how a pipeline reaches a network. Directly (one run per call, as the evaluation
// scripts do) or through the worker's dynamic batcher, which puts inputs of several jobs
// into one run.

/** The run that served one input: how many inputs shared it and where its time went. */
export interface BatchStats {
  /** Inputs in the run (1 = ran alone). */
  size: number;
  /** From the input being ready to its run starting (waiting for the batch to fill or for an instance). */
  waitMs: number;
  /** The whole run (shared by every input of the batch). */
  runMs: number;
  /** Identifies the run, so an image with several inputs in one run counts it once. */
  id?: number;
}

/** One input's output and the run it came from. */
export interface NetworkRun<T> {
  output: T;
  batch: BatchStats;
}

/** Runs one prepared detection input. */
export type DetectRunner = (input: Float32Array) => Promise<NetworkRun<Float32Array>>;

/** A runner that runs each input alone, at once, on the model's own session (tools, tests). */
export function directDetectRunner(model: DetectModel): DetectRunner {
  const run = sessionRun(model.session);
  return async (input) => {
    const started = performance.now();
    const [output] = await runDetectBatch(model, run, [input]);
    return { output, batch: { size: 1, waitMs: 0, runMs: performance.now() - started } };
  };
}

// ---------------------------------------------------------------------------------------------
// Post

export interface PostprocessOptions extends Pick<DetectOptions, 'confidence' | 'iou' | 'maxDetections'> {
  multiLabel?: boolean;
}

/** Decode boxes, class-aware NMS, back to original-image pixels. */
export function postprocessDetect(
  output: Float32Array,
  model: Pick<DetectModel, 'labels'>,
  letterbox: Letterbox,
  opts: PostprocessOptions,
): ScoredBox[] {
  const numClasses = model.labels.length;
  const numAnchors = output.length / (4 + numClasses);
  if (!Number.isInteger(numAnchors)) {
    throw new Error(`output size ${output.length} does not fit ${numClasses} classes`);
  }
  const candidates = decodeYoloOutput(output, numAnchors, numClasses, {
    confidence: opts.confidence,
    multiLabel: opts.multiLabel,
  });
  return nms(candidates, opts.iou, opts.maxDetections).map((b) => {
    const [x1, y1, x2, y2] = unletterboxBox([b.x1, b.y1, b.x2, b.y2], letterbox);
    return { ...b, x1, y1, x2, y2 };
  });
}

export function toDetections(boxes: readonly ScoredBox[], labels: readonly string[]): Detection[] {
  const round = (v: number) => Math.round(v * 100) / 100;
  return boxes.map((b) => ({
    label: labels[b.classId] ?? `class_${b.classId}`,
    classId: b.classId,
    confidence: Math.round(b.score * 10_000) / 10_000,
    box: { x1: round(b.x1), y1: round(b.y1), x2: round(b.x2), y2: round(b.y2) },
  }));
}

/**
 * Where a detection's time went, in ms. `inferMs` is the run that served the image (shared
 * with the rest of its batch); `batchWaitMs` the time between the input being ready and that
 * run starting; `batchSize` how many images the run held.
 */
export interface DetectTimings {
  decodeMs: number;
  preMs: number;
  batchWaitMs: number;
  batchSize: number;
  inferMs: number;
  postMs: number;
}

export type TimedDetectResult = DetectResult & { timings: DetectTimings };

/** The whole pipeline for one image, as the evaluation script and the lock-renewal test run it. */
export async function detectImage(
  model: DetectModel,
  bytes: Buffer,
  opts: DetectOptions,
  limits: DecodeLimits,
): Promise<TimedDetectResult> {
  return detectImageWith(model, directDetectRunner(model), bytes, opts, limits);
}

/** The pipeline for one image with the network reached through `run` (the worker's batcher). */
export async function detectImageWith(
  model: DetectModelInfo,
  run: DetectRunner,
  bytes: Buffer,
  opts: DetectOptions,
  limits: DecodeLimits,
): Promise<TimedDetectResult> {
  const prepared = await preprocessDetect(bytes, model.entry, limits);
  const { output, batch } = await run(prepared.input);
  const postStart = performance.now();
  const boxes = postprocessDetect(output, model, prepared.letterbox, opts);
  const detections = toDetections(boxes, model.labels);
  const done = performance.now();
  return {
    detections,
    count: detections.length,
    image: { width: prepared.letterbox.srcWidth, height: prepared.letterbox.srcHeight },
    model: { id: model.entry.id, sha256: model.entry.sha256 },
    timings: stageTimings(prepared, batch, done - postStart),
  };
}

/** A letterboxed model's per-stage timings, rounded to 0.1 ms (detect and segment). */
export function stageTimings(
  prepared: Pick<PreparedImage, 'decodeMs' | 'preMs'>,
  batch: BatchStats,
  postMs: number,
): DetectTimings {
  return {
    decodeMs: round1(prepared.decodeMs),
    preMs: round1(prepared.preMs),
    batchWaitMs: round1(batch.waitMs),
    batchSize: batch.size,
    inferMs: round1(batch.runMs),
    postMs: round1(postMs),
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
