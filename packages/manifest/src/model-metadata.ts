import type { ModelEntry } from './manifest.schema';

/** A tensor as the Open Inference Protocol describes it; -1 marks a dynamic dimension. */
export interface TensorMetadata {
  name: string;
  datatype: 'FP32';
  shape: number[];
}

/** `GET /v2/models/{name}` (Open Inference Protocol / KServe v2, Triton). */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: 'onnxruntime_onnx';
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

const dim = (d: number | string) => (typeof d === 'number' ? d : -1);

/** YOLOv8 heads: one anchor per cell of the stride 8, 16 and 32 grids. */
function yoloAnchors(width: number, height: number): number {
  return [8, 16, 32].reduce((n, s) => n + (width / s) * (height / s), 0);
}

/**
 * The metadata of a manifest model, its output shapes derived from its format (the manifest
 * names outputs but does not store their shapes). `numLabels` is the length of its label file.
 */
export function modelMetadata(entry: ModelEntry, numLabels: number): ModelMetadata {
  const batch = dim(entry.input.shape[0] ?? 1);
  const { width, height } = entry.preprocess;
  const fixed = entry.input.shape.every((d) => typeof d === 'number');
  const out = (key: string, shape: number[]): TensorMetadata => ({
    name: entry.outputs[key],
    datatype: 'FP32',
    shape,
  });
  let outputs: TensorMetadata[];
  switch (entry.format) {
    case 'yolov8':
      outputs = [out('detections', [batch, 4 + numLabels, yoloAnchors(width, height)])];
      break;
    case 'yolov8-seg':
      outputs = [
        out('detections', [batch, 4 + numLabels + 32, yoloAnchors(width, height)]),
        out('protos', [batch, 32, height / 4, width / 4]),
      ];
      break;
    case 'bodypix':
      outputs = [out('segments', [batch, 1, -1, -1]), out('parts', [batch, numLabels, -1, -1])];
      break;
    case 'schp':
      outputs = [out('logits', [batch, -1, fixed ? height : -1, fixed ? width : -1])];
      break;
    case 'sch-fusion':
      // The segmenter's skin / clothes / hair planes; the fused BodyPix model has its own entry.
      outputs = [out('probs', [batch, 3, height, width])];
      break;
  }
  return {
    name: entry.id,
    // One version per id: a new file gets a new sha256, served under the same id.
    versions: ['1'],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: entry.input.name, datatype: 'FP32', shape: entry.input.shape.map(dim) }],
    outputs,
  };
}
