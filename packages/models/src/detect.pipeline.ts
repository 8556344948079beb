import type { InferenceSession } from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import type { DetectOptions, DetectResult, Detection } from '@argus/contracts';
import {
  decodeLetterboxed,
  decodeYoloOutput,
  hwcToChw,
  nms,
  unletterboxBox,
  type DecodeLimits,
  type Letterbox,
  type ScoredBox,
} from '@argus/vision';
import type { ModelEntry } from './manifest.schema';

/** A loaded detection model: manifest entry, session and label names. */
export interface DetectModel {
  entry: ModelEntry;
  session: InferenceSession;
  labels: string[];
}

export interface PreparedImage {
  /** CHW float tensor data for one image. */
  input: Float32Array;
  letterbox: Letterbox;
  decodeMs: number;
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
  const input = hwcToChw(rgb, width, height, { scale, offset });
  return { input, letterbox, decodeMs: performance.now() - started };
}

/**
 * Runs a batch of prepared inputs and returns each image's own output slice. Models with
 * a fixed batch of one run image by image.
 */
export async function runDetectBatch(
  model: DetectModel,
  inputs: readonly Float32Array[],
): Promise<Float32Array[]> {
  const { width, height } = model.entry.preprocess;
  const plane = 3 * width * height;
  const inputName = model.entry.input.name;
  const outputName = model.entry.outputs.detections;
  if (!model.entry.batch.dynamic && inputs.length > 1) {
    const outs: Float32Array[] = [];
    for (const input of inputs) outs.push(...(await runDetectBatch(model, [input])));
    return outs;
  }
  const stacked = inputs.length === 1 ? inputs[0] : new Float32Array(plane * inputs.length);
  if (inputs.length > 1) inputs.forEach((input, i) => stacked.set(input, i * plane));
  const feeds = { [inputName]: new Tensor('float32', stacked, [inputs.length, 3, height, width]) };
  const result = await model.session.run(feeds);
  const output = result[outputName];
  if (!output) throw new Error(`model "${model.entry.id}" has no output "${outputName}"`);
  const data = output.data as Float32Array;
  const per = data.length / inputs.length;
  return inputs.map((_, i) => data.subarray(i * per, (i + 1) * per));
}

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

/** The whole pipeline for one image, as the worker and the evaluation script run it. */
export async function detectImage(
  model: DetectModel,
  bytes: Buffer,
  opts: DetectOptions,
  limits: DecodeLimits,
): Promise<DetectResult> {
  const prepared = await preprocessDetect(bytes, model.entry, limits);
  const inferStart = performance.now();
  const [output] = await runDetectBatch(model, [prepared.input]);
  const postStart = performance.now();
  const boxes = postprocessDetect(output, model, prepared.letterbox, opts);
  const detections = toDetections(boxes, model.labels);
  const done = performance.now();
  return {
    detections,
    count: detections.length,
    image: { width: prepared.letterbox.srcWidth, height: prepared.letterbox.srcHeight },
    model: { id: model.entry.id, sha256: model.entry.sha256 },
    timings: {
      decodeMs: round1(prepared.decodeMs),
      inferMs: round1(postStart - inferStart),
      postMs: round1(done - postStart),
    },
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
