/**
 * yolov8n int8 (onnxruntime `quantize_dynamic`) → float32 with a dynamic batch
 * (../shared/models/MANIFEST.md item 5). Each
 * `DynamicQuantizeLinear → ConvInteger → Cast → Mul(scale) → Add(bias)` chain becomes one float
 * `Conv` whose weights are `(q − zero_point) · scale` and whose bias is the original bias (the
 * DFL conv has none); the head's Reshape constants get a leading 0 (copy the batch dim); the
 * input and output batch dim becomes `batch`; opset 20 → 17 and IR 9 → 8 (no op used changed
 * between them). Everything else is kept in its order, so the same input gives the same bytes.
 */
import {
  createModel,
  floatTensor,
  floatValueInfo,
  node,
  DataType,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from './onnx-io';

/** Bytes of a tensor that may be a view at an odd offset into the file. */
const bytesOf = (t: TensorProto): Buffer => Buffer.from(t.rawData.slice());

function scalarOf(t: TensorProto): number {
  if (t.dataType === DataType.FLOAT) return t.rawData.length ? bytesOf(t).readFloatLE(0) : t.floatData[0];
  if (t.dataType === DataType.UINT8) return t.rawData.length ? t.rawData[0] : t.int32Data[0];
  if (t.dataType === DataType.INT8) return t.rawData.length ? bytesOf(t).readInt8(0) : t.int32Data[0];
  throw new Error(`tensor ${t.name}: unexpected data type ${t.dataType} for a scalar`);
}

function dequantize(q: TensorProto, scale: number, zeroPoint: number): Float32Array {
  const raw = bytesOf(q);
  const signed = q.dataType === DataType.INT8;
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = ((signed ? raw.readInt8(i) : raw[i]) - zeroPoint) * scale;
  return out;
}

export interface FoldOptions {
  /** Recorded in the `derived_from` metadata: the source file name and its sha256. */
  sourceName: string;
  sourceSha256: string;
}

export function foldYoloInt8(src: ModelProto, opts: FoldOptions): ModelProto {
  const g = src.graph;
  if (!g) throw new Error('model has no graph');
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const producers = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const n of g.node) {
    for (const o of n.output) producers.set(o, n);
    for (const i of n.input) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const only = (tensor: string, op: string): NodeProto => {
    const c = consumers.get(tensor) ?? [];
    if (c.length !== 1 || c[0].opType !== op) throw new Error(`${tensor}: expected one ${op} consumer`);
    return c[0];
  };
  const init = (name: string): TensorProto => {
    const t = inits.get(name);
    if (!t) throw new Error(`initializer ${name} is missing`);
    return t;
  };

  const dropNodes = new Set<NodeProto>();
  const dropInits = new Set<string>();
  const replace = new Map<NodeProto, NodeProto>();
  const newWeights: TensorProto[] = [];
  for (const conv of g.node.filter((n) => n.opType === 'ConvInteger')) {
    const [xq, wq, xZero, wZero] = conv.input;
    const dql = producers.get(xq);
    if (!dql || dql.opType !== 'DynamicQuantizeLinear')
      throw new Error(`${conv.name}: input is not dynamically quantised`);
    const cast = only(conv.output[0], 'Cast');
    const mul = only(cast.output[0], 'Mul');
    const scaleMul = producers.get(mul.input.find((i) => i !== cast.output[0]) ?? '');
    if (!scaleMul || scaleMul.opType !== 'Mul') throw new Error(`${conv.name}: no scale Mul`);
    const wScaleName = scaleMul.input.find((i) => inits.has(i));
    if (!wScaleName) throw new Error(`${conv.name}: weight scale is not an initializer`);
    const after = consumers.get(mul.output[0]) ?? [];
    const add = after.length === 1 && after[0].opType === 'Add' ? after[0] : undefined;
    let bias: string | undefined;
    if (add) {
      const reshape = producers.get(add.input.find((i) => i !== mul.output[0]) ?? '');
      if (!reshape || reshape.opType !== 'Reshape') throw new Error(`${conv.name}: bias is not a Reshape`);
      bias = reshape.input[0];
      dropNodes.add(reshape).add(add);
      dropInits.add(reshape.input[1]);
    }
    const weightName = wq.replace(/_quantized$/, '');
    newWeights.push(
      floatTensor(
        weightName,
        init(wq).dims.map(Number),
        dequantize(init(wq), scalarOf(init(wScaleName)), scalarOf(init(wZero))),
      ),
    );
    dropInits.add(wq).add(wScaleName).add(wZero);
    dropNodes.add(cast).add(mul).add(scaleMul);
    // A DynamicQuantizeLinear may feed several ConvIntegers; it goes once none is left.
    dropNodes.add(dql);
    const output = (add ?? mul).output[0];
    const name = conv.name.replace(/_quant$/, '');
    replace.set(
      conv,
      node('Conv', [dql.input[0], weightName, ...(bias ? [bias] : [])], [output], name, conv.attribute),
    );
    void xZero;
  }

  const nodes: NodeProto[] = [];
  for (const n of g.node) {
    if (dropNodes.has(n)) continue;
    nodes.push(replace.get(n) ?? n);
  }
  for (const n of nodes) {
    if (n.opType !== 'Reshape') continue;
    const shape = inits.get(n.input[1]);
    if (!shape || shape.dataType !== DataType.INT64 || !shape.rawData.length) continue;
    const b = bytesOf(shape);
    if (b.readBigInt64LE(0) === 1n) {
      b.writeBigInt64LE(0n, 0);
      shape.rawData = new Uint8Array(b);
    }
  }
  const kept = g.initializer.filter(
    (t) => !dropInits.has(t.name) && !t.name.endsWith('_scale') && !t.name.endsWith('_zero_point'),
  );

  const input = g.input[0];
  const output = g.output[0];
  const dimsOf = (v: typeof input) =>
    v.type?.value.case === 'tensorType'
      ? (v.type.value.value.shape?.dim ?? []).map((d, i) =>
          i === 0 ? 'batch' : d.value.case === 'dimValue' ? Number(d.value.value) : String(d.value.value),
        )
      : [];
  const metadata = src.metadataProps
    .filter((p) => p.key !== 'onnx.infer')
    .map((p) => ({
      key: p.key,
      value: p.key === 'args' ? p.value.replace("'dynamic': False", "'dynamic': True") : p.value,
    }));
  metadata.push({
    key: 'derived_from',
    value: `${opts.sourceName} (sha256 ${opts.sourceSha256}): every DynamicQuantizeLinear/ConvInteger/Cast/Mul(/Add bias) chain replaced by a float Conv with weights (q - zero_point) * scale and the original bias; activations not quantized; batch dim symbolic`,
  });
  return createModel({
    irVersion: 8n,
    producerName: 'dequant_convinteger_to_conv',
    producerVersion: '1',
    opsetImport: [{ version: 17n }],
    graph: {
      name: g.name,
      node: nodes,
      initializer: [...kept, ...newWeights],
      input: [floatValueInfo(input.name, dimsOf(input))],
      output: [floatValueInfo(output.name, dimsOf(output))],
    },
    metadataProps: metadata,
  });
}
