import fs from 'node:fs';
import path from 'node:path';
import { ManifestSchema } from './manifest.schema';
import { manifestPathFor, readManifest, resolveModel } from './manifest';

const MODELS_DIR = path.resolve(__dirname, '..', '..', '..', 'models');
const RAW = JSON.parse(fs.readFileSync(manifestPathFor(MODELS_DIR), 'utf8')) as {
  models: Record<string, unknown>[];
};
const detect = RAW.models.find((m) => m.id === 'yolov8n')!;
// Made the default here so small manifests of these tests have one default parse model.
const bodypix: Record<string, unknown> = {
  ...RAW.models.find((m) => m.id === 'bodypix-075')!,
  default: true,
};
const fused = RAW.models.find((m) => m.id === 'bodypix-075-sch')!;

/** An SCHP-format entry as a deployment would add one (file names made up). */
const schp = {
  id: 'schp-lip',
  task: 'parse',
  default: false,
  format: 'schp',
  file: 'parsing_lip.onnx',
  bytes: 1,
  sha256: '0'.repeat(64),
  url: null,
  source: 'test',
  license: 'test',
  input: { name: 'input.1', shape: [1, 3, 473, 473] },
  outputs: { logits: 'fusion' },
  batch: { dynamic: false },
  preprocess: {
    resize: 'letterbox',
    width: 473,
    height: 473,
    pad: 0,
    scale: 1 / 255,
    offset: 0,
    channelOrder: 'bgr',
    mean: [0.406, 0.456, 0.485],
    std: [0.225, 0.224, 0.229],
  },
  labels: 'labels/lip20.txt',
  labelsSha256: '0'.repeat(64),
};

const issues = (models: unknown[]) => {
  const r = ManifestSchema.safeParse({ models });
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('parse entries in the manifest', () => {
  it('the real manifest has the BodyPix + segmenter fusion as the default parse model, BodyPix 0.75 and 0.50 beside it', () => {
    const manifest = readManifest(manifestPathFor(MODELS_DIR));
    const entry = resolveModel(manifest, 'parse');
    expect(entry.id).toBe('bodypix-075-sch');
    expect(entry.format).toBe('sch-fusion');
    expect(entry.fuse).toEqual({ parts: 'bodypix-075' });
    expect(entry.url).toContain('PAN%28timm-mobilenetv3_small_100%29');
    expect(entry.preprocess).toMatchObject({ resize: 'letterbox', width: 512, height: 512 });
    const parts = resolveModel(manifest, 'parse', 'bodypix-075');
    expect(parts.preprocess).toMatchObject({ resize: 'stride', stride: 16, width: 513, channelOrder: 'rgb' });
    expect(parts.outputs).toMatchObject({ heatmaps: 'heatmaps', offsets: 'short_offsets' });
    expect(resolveModel(manifest, 'parse', 'bodypix-050').file).toBe(
      'bodypix_mobilenetv1_050_stride16_dyn.onnx',
    );
  });

  it('a fused entry must name a BodyPix model of the manifest in fuse.parts', () => {
    const other = { ...fused, default: false };
    expect(issues([detect, bodypix, other])).toEqual([]);
    expect(issues([detect, bodypix, { ...other, fuse: { parts: 'nope' } }])).toEqual([
      'model "bodypix-075-sch": fuse.parts must name a bodypix model of the manifest',
    ]);
    expect(issues([detect, bodypix, { ...other, fuse: undefined }])).toHaveLength(1);
  });

  it('accepts an SCHP entry (BGR, mean/std, letterbox) beside detect and BodyPix entries', () => {
    expect(issues([detect, bodypix, schp])).toEqual([]);
    const parsed = ManifestSchema.parse({ models: [detect, bodypix, schp] });
    // Detect entries still get the defaults they had before parse formats existed.
    expect(parsed.models[0].preprocess.channelOrder).toBe('rgb');
    expect(parsed.models[2].preprocess.mean).toEqual([0.406, 0.456, 0.485]);
  });

  it('ties formats to tasks and to the outputs their decoders read', () => {
    expect(issues([detect, { ...bodypix, task: 'detect', default: false }])).toContain(
      'model "bodypix-075": format "bodypix" serves task "parse", not "detect"',
    );
    expect(issues([detect, { ...bodypix, outputs: { segments: 'segments' } }])).toContain(
      'model "bodypix-075": format "bodypix" needs outputs.parts',
    );
    expect(issues([detect, { ...schp, default: true, outputs: {} }])).toContain(
      'model "schp-lip": format "schp" needs outputs.logits',
    );
    const strideDetect = {
      ...detect,
      preprocess: { ...(detect.preprocess as object), resize: 'stride', stride: 32 },
    };
    expect(issues([strideDetect])).toContain('model "yolov8n": format "yolov8" needs resize "letterbox"');
  });

  it('checks that stride-resized inputs are 16k+1', () => {
    const bad = { ...bodypix, preprocess: { ...(bodypix.preprocess as object), width: 512 } };
    expect(issues([detect, bad])).toContain(
      'model "bodypix-075": width and height must be 16k+1, got 512x513',
    );
    const noStride = { ...bodypix, preprocess: { ...(bodypix.preprocess as object), stride: undefined } };
    expect(issues([detect, noStride])).toContain('stride resize needs a stride');
  });
});
