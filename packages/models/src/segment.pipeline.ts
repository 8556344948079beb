import type { InferenceSession } from 'onnxruntime-node';
import type { SegmentInstance, SegmentOptions, SegmentResult } from '@argus/contracts';
import {
  boxMaskArea,
  boxMaskToRle,
  decodeYoloOutput,
  instanceProbabilities,
  maskAtOriginal,
  maskCoefficients,
  nms,
  unletterboxBox,
  type BoxMask,
  type DecodeLimits,
  type Letterbox,
  type ProtoShape,
  type ScoredBox,
} from '@argus/vision';
import type { ModelEntry } from './manifest.schema';
import { sessionRun, type SessionRun } from './session';
import {
  detectInputDims,
  preprocessDetect,
  stageTimings,
  toDetections,
  type DetectTimings,
  type NetworkRun,
} from './detect.pipeline';

/**
 * YOLOv8-seg: preprocess as detection (letterbox), run, then decode boxes with their anchor,
 * NMS, and build each kept instance's mask from its coefficients and the prototypes.
 */
export interface SegmentModel {
  entry: ModelEntry;
  session: InferenceSession;
  labels: string[];
}

export type SegmentModelInfo = Omit<SegmentModel, 'session'>;

/** One image's slice of the two outputs. */
export interface SegmentNetOutput {
  /** [4 + classes + channels, anchors]. */
  detections: Float32Array;
  /** [channels, protoHeight, protoWidth]. */
  protos: Float32Array;
  proto: ProtoShape;
}

export type SegmentRunner = (input: Float32Array) => Promise<NetworkRun<SegmentNetOutput>>;

/** The prototype shape from the output dims `[n, channels, h, w]`. */
export function protoShapeOf(dims: readonly number[]): ProtoShape {
  if (dims.length !== 4) throw new Error(`prototype output has dims [${dims.join(', ')}], expected 4`);
  return { channels: dims[1], height: dims[2], width: dims[3] };
}

/** Runs prepared inputs one by one (the model's batch is fixed at 1): the segmenter's one run path. */
export async function runSegmentBatch(
  model: SegmentModelInfo,
  run: SessionRun,
  inputs: readonly Float32Array[],
): Promise<SegmentNetOutput[]> {
  const { entry } = model;
  const fetch = [entry.outputs.detections, entry.outputs.protos];
  const outs: SegmentNetOutput[] = [];
  for (const input of inputs) {
    const outputs = await run(
      { [entry.input.name]: { data: input, dims: detectInputDims(entry, 1) } },
      fetch,
    );
    const protos = outputs[entry.outputs.protos];
    outs.push({
      detections: outputs[entry.outputs.detections].data,
      protos: protos.data,
      proto: protoShapeOf(protos.dims),
    });
  }
  return outs;
}

/** Runs one prepared input on the model's own session (the eval script's path). */
export function directSegmentRunner(model: SegmentModel): SegmentRunner {
  const run = sessionRun(model.session);
  return async (input) => {
    const started = performance.now();
    const [output] = await runSegmentBatch(model, run, [input]);
    return { output, batch: { size: 1, waitMs: 0, runMs: performance.now() - started } };
  };
}

export interface SegmentPostOptions extends Pick<SegmentOptions, 'confidence' | 'iou' | 'maxDetections'> {
  multiLabel?: boolean;
  /** Skip the masks (box evaluation only). */
  boxesOnly?: boolean;
}

export interface SegmentedBox {
  /** Original-image pixels. */
  box: ScoredBox;
  /** Undefined with `boxesOnly`. */
  mask?: BoxMask;
}

/** Decode, class-aware NMS, masks, back to original-image pixels. */
export function postprocessSegment(
  out: SegmentNetOutput,
  labels: readonly string[],
  letterbox: Letterbox,
  opts: SegmentPostOptions,
): SegmentedBox[] {
  const numClasses = labels.length;
  const { channels } = out.proto;
  const numAnchors = out.detections.length / (4 + numClasses + channels);
  if (!Number.isInteger(numAnchors))
    throw new Error(
      `output size ${out.detections.length} does not fit ${numClasses} classes + ${channels} masks`,
    );
  const candidates = decodeYoloOutput(out.detections, numAnchors, numClasses, {
    confidence: opts.confidence,
    multiLabel: opts.multiLabel,
    withAnchor: true,
  });
  const input = { width: letterbox.dstWidth, height: letterbox.dstHeight };
  return nms(candidates, opts.iou, opts.maxDetections).map((b) => {
    const [x1, y1, x2, y2] = unletterboxBox([b.x1, b.y1, b.x2, b.y2], letterbox);
    const box = { ...b, x1, y1, x2, y2 };
    if (opts.boxesOnly) return { box };
    const coefficients = maskCoefficients(out.detections, numAnchors, numClasses, channels, b.anchor ?? 0);
    const probs = instanceProbabilities(coefficients, out.protos, out.proto, [b.x1, b.y1, b.x2, b.y2], input);
    return { box, mask: maskAtOriginal(probs, out.proto, letterbox, [x1, y1, x2, y2]) };
  });
}

/** The same stages as detection (letterbox, one run, post-processing). */
export type SegmentTimings = DetectTimings;

export interface SegmentOutcome {
  result: SegmentResult & { timings: SegmentTimings };
  /** Each instance's mask, in `result.instances` order (for the overlay). */
  masks: BoxMask[];
}

/** The whole pipeline for one image with the network reached through `run`. */
export async function segmentImageWith(
  model: SegmentModelInfo,
  run: SegmentRunner,
  bytes: Buffer,
  opts: Pick<SegmentOptions, 'confidence' | 'iou' | 'maxDetections'>,
  limits: DecodeLimits,
): Promise<SegmentOutcome> {
  const prepared = await preprocessDetect(bytes, model.entry, limits);
  const { output, batch } = await run(prepared.input);
  const postStart = performance.now();
  const lb = prepared.letterbox;
  const segmented = postprocessSegment(output, model.labels, lb, opts);
  const detections = toDetections(
    segmented.map((s) => s.box),
    model.labels,
  );
  const masks = segmented.map((s) => s.mask!);
  const instances: SegmentInstance[] = detections.map((d, i) => ({
    ...d,
    mask: boxMaskToRle(masks[i], lb.srcWidth, lb.srcHeight),
    area: boxMaskArea(masks[i]),
  }));
  const done = performance.now();
  return {
    masks,
    result: {
      instances,
      count: instances.length,
      image: { width: lb.srcWidth, height: lb.srcHeight },
      model: { id: model.entry.id, sha256: model.entry.sha256 },
      timings: stageTimings(prepared, batch, done - postStart),
    },
  };
}
