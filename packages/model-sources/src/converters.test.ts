/**
 * The converters on the staged public originals (../shared/models/source, the int8 yolov8n):
 * their results are byte-identical to the staged ONNX files, and the models' outputs on
 * bus.jpg equal the staged files' outputs (max |Δ| ≤ 1e-4, here 0).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { convertBodyPix } from './bodypix.convert';
import { canonicalJsonSha256 } from './canonical-json';
import { decodeModel, encodeModel } from './onnx-io';
import { parseTfjsGraph, readTfjsWeights } from './tfjs-graph';
import { foldYoloInt8 } from './yolo-fold.convert';

const STAGED = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'models');
const BUS = path.resolve(STAGED, '..', 'data', 'samples', 'bus.jpg');
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

function staged(rel: string): Buffer {
  const file = path.join(STAGED, rel);
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: these tests need ../shared/models beside the repo`);
  return fs.readFileSync(file);
}

/** bus.jpg as an NCHW float tensor of `size`×`size`, `x·scale + offset`. */
async function busTensor(size: number, scale: number, offset: number): Promise<ort.Tensor> {
  if (!fs.existsSync(BUS)) throw new Error(`${BUS} is missing (../shared/data/samples)`);
  const { data } = await sharp(BUS)
    .resize(size, size, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) out[c * plane + i] = data[i * 3 + c] * scale + offset;
  return new ort.Tensor('float32', out, [1, 3, size, size]);
}

async function runModel(
  bytes: Buffer,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, Float32Array>> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'argus-conv-')), 'm.onnx');
  fs.writeFileSync(file, bytes);
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await session.release();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** The same JSON value with every object's keys in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reverseKeys(x)]),
    );
  return v;
}

function maxAbsDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let max = 0;
  for (const k of Object.keys(a)) {
    expect(a[k].length).toBe(b[k].length);
    for (let i = 0; i < a[k].length; i++) max = Math.max(max, Math.abs(a[k][i] - b[k][i]));
  }
  return max;
}

describe.each([
  ['mobilenet_quant2_075', 'bodypix_mobilenetv1_075_stride16_dyn.onnx'],
  ['mobilenet_float_050', 'bodypix_mobilenetv1_050_stride16_dyn.onnx'],
])('BodyPix %s → ONNX', (dir, target) => {
  const json = () => staged(`source/bodypix/${dir}/model-stride16.json`).toString('utf8');
  const shard = () => staged(`source/bodypix/${dir}/group1-shard1of1.bin`);
  const convert = (text: string) => {
    const graph = parseTfjsGraph(text);
    return encodeModel(convertBodyPix(graph, readTfjsWeights(graph, [shard()])));
  };

  it('gives the staged file byte for byte, also from a reformatted graph JSON', () => {
    const expected = sha256(staged(target));
    expect(sha256(convert(json()))).toBe(expected);
    // Read by meaning: other whitespace and key order give the same model.
    const reformatted = JSON.stringify(reverseKeys(JSON.parse(json())), null, 3);
    expect(sha256(convert(reformatted))).toBe(expected);
    expect(canonicalJsonSha256(Buffer.from(reformatted))).toBe(canonicalJsonSha256(Buffer.from(json())));
  });

  it('outputs on bus.jpg equal the staged model, at batch 1 and batch 2', async () => {
    const image = await busTensor(513, 1 / 127.5, -1);
    const ours = await runModel(convert(json()), { image });
    const theirs = await runModel(staged(target), { image });
    expect(Object.keys(ours)).toHaveLength(8);
    expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-4);
    // Dynamic batch: two copies run as [2,3,H,W].
    const two = new Float32Array(image.data.length * 2);
    two.set(image.data as Float32Array);
    two.set(image.data as Float32Array, image.data.length);
    const batch = await runModel(convert(json()), {
      image: new ort.Tensor('float32', two, [2, 3, 513, 513]),
    });
    expect(batch.segments.length).toBe(ours.segments.length * 2);
  });

  it('refuses a graph with an op it cannot convert, and weights that do not fit the shards', () => {
    const graph = parseTfjsGraph(json());
    graph.modelTopology.node.push({ name: 'x', op: 'Softmax', input: ['float_segments'] });
    expect(() => convertBodyPix(graph, readTfjsWeights(graph, [shard()]))).toThrow('op Softmax');
    expect(() => readTfjsWeights(parseTfjsGraph(json()), [shard().subarray(0, 1000)])).toThrow(
      'past the end',
    );
  });
});

describe('yolov8n int8 → fp32 fold', () => {
  const int8 = () => staged('yolov8n_int8.onnx');
  const fold = () =>
    encodeModel(
      foldYoloInt8(decodeModel(int8()), { sourceName: 'yolov8n_int8.onnx', sourceSha256: sha256(int8()) }),
    );

  it('gives the staged yolov8n_fp32.onnx byte for byte, with no quantised op left', () => {
    const out = fold();
    expect(sha256(out)).toBe(sha256(staged('yolov8n_fp32.onnx')));
    const ops = new Set(decodeModel(out).graph?.node.map((n) => n.opType));
    for (const op of ['DynamicQuantizeLinear', 'ConvInteger', 'Cast']) expect(ops.has(op)).toBe(false);
  });

  it('outputs on bus.jpg equal the staged fp32 model; batch 2 gives each image its own rows', async () => {
    const images = await busTensor(640, 1 / 255, 0);
    const ours = await runModel(fold(), { images });
    const theirs = await runModel(staged('yolov8n_fp32.onnx'), { images });
    expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-4);
    const two = new Float32Array(images.data.length * 2);
    two.set(images.data as Float32Array);
    two.set(images.data as Float32Array, images.data.length);
    const batch = await runModel(fold(), { images: new ort.Tensor('float32', two, [2, 3, 640, 640]) });
    const one = ours.output0;
    expect(maxAbsDiff({ o: batch.output0.subarray(one.length) }, { o: one })).toBeLessThanOrEqual(1e-4);
  });
});
