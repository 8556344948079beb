import path from 'node:path';
import { ManifestSchema, manifestPathFor, modelMetadata, readManifest } from '@argus/manifest';
import { protoShapeOf } from './segment.pipeline';

const manifest = readManifest(manifestPathFor(path.resolve(__dirname, '..', '..', '..', 'models')));
const entry = (id: string) => {
  const found = manifest.models.find((m) => m.id === id);
  if (!found) throw new Error(`model ${id} is not in models/manifest.json`);
  return found;
};

describe('modelMetadata (Open Inference Protocol)', () => {
  it('derives the YOLOv8 head shape from the input size and label count', () => {
    expect(modelMetadata(entry('yolov8n'), 80)).toEqual({
      name: 'yolov8n',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'images', datatype: 'FP32', shape: [-1, 3, 640, 640] }],
      outputs: [{ name: 'output0', datatype: 'FP32', shape: [-1, 84, 8400] }],
    });
  });

  it('gives the segmentation model its head with 32 mask coefficients and the prototypes', () => {
    expect(modelMetadata(entry('yolov8n-seg'), 80).outputs).toEqual([
      { name: 'output0', datatype: 'FP32', shape: [1, 116, 2100] },
      { name: 'output1', datatype: 'FP32', shape: [1, 32, 80, 80] },
    ]);
  });

  it('marks the dynamic sizes of BodyPix outputs as -1', () => {
    const meta = modelMetadata(entry('bodypix-075'), 24);
    expect(meta.inputs[0].shape).toEqual([-1, 3, -1, -1]);
    expect(meta.outputs).toEqual([
      { name: 'segments', datatype: 'FP32', shape: [-1, 1, -1, -1] },
      { name: 'part_heatmaps', datatype: 'FP32', shape: [-1, 24, -1, -1] },
    ]);
  });
});

describe('the yolov8-seg manifest format', () => {
  it('needs both outputs and serves the segment task', () => {
    const raw = { ...entry('yolov8n-seg'), outputs: { detections: 'output0' } };
    const parsed = ManifestSchema.safeParse({ models: [raw] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/needs outputs\.protos/);
    const wrongTask = ManifestSchema.safeParse({ models: [{ ...entry('yolov8n-seg'), task: 'detect' }] });
    expect(wrongTask.success).toBe(false);
  });

  it('reads the prototype shape from [n, channels, h, w] dims', () => {
    expect(protoShapeOf([1, 32, 80, 80])).toEqual({ channels: 32, height: 80, width: 80 });
    expect(() => protoShapeOf([32, 80, 80])).toThrow(/expected 4/);
  });
});
