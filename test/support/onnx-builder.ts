/**
 * A small, dependency-free ONNX writer for tests: enough of `onnx.proto` (ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto) to build models that
 * onnxruntime loads, so tests can make models with known outputs or known run times instead
 * of downloading them.
 *
 * Encoding notes: onnx.proto is proto2, so repeated scalars are written unpacked (one key per
 * element), which every protobuf parser accepts. Tensors are stored as little-endian
 * `raw_data`. Field numbers are those of onnx.proto (IR 7+).
 *
 * Suites that run these models with onnxruntime rely on the project's jest environment
 * (test/support/node-environment.js), which shares typed arrays with onnxruntime's context.
 * Ready-made models: `buildSlowModel` (a MatMul chain that takes seconds) and
 * `buildSchpLikeModel` (an SCHP-signature parser whose output is a known function).
 */
import fs from 'node:fs';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// Public spec types

export type ElemType = 'float32' | 'int64';

/** A dimension: a number is static, a string is a symbolic (dynamic) dim such as "batch". */
export type Dim = number | string;

export interface ValueInfoSpec {
  name: string;
  elemType?: ElemType;
  /** Omit for an unknown rank. */
  shape?: readonly Dim[];
}

export interface TensorSpec {
  name: string;
  dims: readonly number[];
  /** float32 data (default) or int64 data. */
  data: Float32Array | readonly number[] | BigInt64Array;
  elemType?: ElemType;
}

export type AttributeValue =
  | { type: 'int'; value: number | bigint }
  | { type: 'ints'; value: readonly (number | bigint)[] }
  | { type: 'float'; value: number }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string };

/** Tagged attribute constructors; ONNX needs to know int from float, which JS numbers do not say. */
export const attr = {
  int: (value: number | bigint): AttributeValue => ({ type: 'int', value }),
  ints: (value: readonly (number | bigint)[]): AttributeValue => ({ type: 'ints', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  floats: (value: readonly number[]): AttributeValue => ({ type: 'floats', value }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
};

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface GraphSpec {
  name?: string;
  nodes: readonly NodeSpec[];
  initializers?: readonly TensorSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
}

export interface ModelSpec {
  /** Default 7 (onnxruntime 1.30 reads IR 3–10). */
  irVersion?: number;
  /** Default: the default domain at opset 13. */
  opsetImports?: readonly { domain?: string; version: number }[];
  producerName?: string;
  docString?: string;
  metadata?: Record<string, string>;
  graph: GraphSpec;
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const TWO_64 = 1n << 64n;

class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];

  private flush(): void {
    if (this.pending.length) {
      this.chunks.push(Uint8Array.from(this.pending));
      this.pending = [];
    }
  }

  private varint(value: number | bigint): void {
    let v = BigInt(value);
    if (v < 0n) v += TWO_64; // int64 negatives are 10-byte two's complement varints
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.pending.push(byte);
    } while (v !== 0n);
  }

  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value, 0);
    this.pending.push(...b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LEN);
    this.varint(value.length);
    this.flush();
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}

// ---------------------------------------------------------------------------------------------
// ONNX messages (field numbers from onnx.proto)

const DATA_TYPE: Record<ElemType, number> = { float32: 1, int64: 7 };

const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function writeTensor(w: ProtoWriter, t: TensorSpec): void {
  const elemType = t.elemType ?? (t.data instanceof BigInt64Array ? 'int64' : 'float32');
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new RangeError(`initializer "${t.name}": ${t.data.length} values for dims [${t.dims.join(',')}]`);
  }
  let raw: Buffer;
  if (elemType === 'float32') {
    const f = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as readonly number[]);
    raw = Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  } else {
    const i =
      t.data instanceof BigInt64Array
        ? t.data
        : BigInt64Array.from((t.data as readonly number[]).map(BigInt));
    raw = Buffer.from(i.buffer, i.byteOffset, i.byteLength);
  }
  if (!isLittleEndian()) throw new Error('raw_data must be little-endian');
  for (const d of t.dims) w.int(1, d); // dims
  w.int(2, DATA_TYPE[elemType]); // data_type
  w.string(8, t.name); // name
  w.bytes(9, raw); // raw_data
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    // TypeProto.tensor_type
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE[v.elemType ?? 'float32']); // elem_type
      if (v.shape) {
        tensor.message(2, (shape) => {
          for (const d of v.shape!) {
            // TensorShapeProto.dim: dim_value = 1, dim_param = 2
            shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
          }
        });
      }
    }),
  );
}

function writeAttribute(w: ProtoWriter, name: string, a: AttributeValue): void {
  w.string(1, name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'floats':
      for (const f of a.value) w.float(7, f);
      break;
    case 'ints':
      for (const i of a.value) w.int(8, i);
      break;
  }
  w.int(20, ATTR_TYPE[a.type]);
}

function writeNode(w: ProtoWriter, n: NodeSpec, index: number): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.opType.toLowerCase()}_${index}`);
  w.string(4, n.opType);
  for (const [name, value] of Object.entries(n.attributes ?? {}))
    w.message(5, (a) => writeAttribute(a, name, value));
  if (n.domain) w.string(7, n.domain);
}

/** Serialises a model to ONNX protobuf bytes. */
export function encodeOnnxModel(spec: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, spec.irVersion ?? 7); // ir_version
  w.string(2, spec.producerName ?? 'argus-test-onnx-builder'); // producer_name
  if (spec.docString) w.string(6, spec.docString);
  w.message(7, (g) => {
    // GraphProto
    spec.graph.nodes.forEach((n, i) => g.message(1, (nw) => writeNode(nw, n, i)));
    g.string(2, spec.graph.name ?? 'graph');
    for (const t of spec.graph.initializers ?? []) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of spec.graph.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of spec.graph.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  for (const o of spec.opsetImports ?? [{ version: 13 }]) {
    w.message(8, (ow) => {
      ow.string(1, o.domain ?? '');
      ow.int(2, o.version);
    });
  }
  for (const [key, value] of Object.entries(spec.metadata ?? {})) {
    w.message(14, (m) => m.string(1, key).string(2, value));
  }
  return w.finish();
}

/** Writes the model to `file` (parent folders are created). */
export function writeOnnxModel(file: string, spec: ModelSpec): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeOnnxModel(spec));
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

// ---------------------------------------------------------------------------------------------
// Ready-made models

export interface SlowModelOptions {
  /** Width of the input and of the square shared weight. Default 2048. */
  size?: number;
  /** Number of chained MatMul nodes. Default 16. */
  repeats?: number;
  /**
   * Rows the input is broadcast to before the chain; each MatMul then costs
   * 2·rows·size² flops. Default `size` (a square chain). Use 1 for a near-instant model.
   */
  rows?: number;
  /** Default "x". */
  inputName?: string;
  /** Default "y". */
  outputName?: string;
}

/**
 * A model that is slow on purpose, for timeout, lock-renewal and concurrency tests.
 *
 * Graph: `x` float32 [1,size] → Expand to [rows,size] → `repeats` × MatMul with one shared
 * [size,size] weight whose every entry is 1/size → ReduceMean over rows → `y` float32 [1,size].
 * Each MatMul replaces every entry of a row by the row's mean, so `y[j] = mean(x)` for every j:
 * a result the test can check, and it stays finite however long the chain is.
 *
 * Cost is 2·rows·size²·repeats flops (275 Gflop at the defaults). Measured with
 * onnxruntime-node 1.30 on the 2-core build VM (graphOptimizationLevel `all`, sequential, warm
 * session), ms per run:
 *
 * | size | repeats | rows | 2 threads, idle | 1 thread, idle | 2 threads, load ≈ 4 |
 * |------|---------|------|-----------------|----------------|---------------------|
 * | 2048 | 16 | 1 (matrix-vector) | 2–4 | – | 15–28 |
 * | 2048 | 16 | 512 | – | – | 770–800 |
 * | 2048 | 16 | 1024 | 710–1,060 | 1,410–1,510 | 1,600–2,900 |
 * | 2048 | 16 | **2048 (default)** | **1,530–1,850** | 2,920–3,060 | 3,300–5,300 |
 *
 * The time is linear in rows·repeats (scale `rows` for other durations) and roughly doubles
 * when the cores are busy with other work.
 */
export function buildSlowModel(file: string, opts: SlowModelOptions = {}): void {
  const size = opts.size ?? 2048;
  const repeats = opts.repeats ?? 16;
  const rows = opts.rows ?? size;
  const x = opts.inputName ?? 'x';
  const y = opts.outputName ?? 'y';
  if (repeats < 1) throw new RangeError('repeats must be at least 1');
  const weight = new Float32Array(size * size).fill(1 / size);
  const nodes: NodeSpec[] = [{ opType: 'Expand', inputs: [x, 'expand_shape'], outputs: ['h0'] }];
  for (let i = 0; i < repeats; i++) {
    nodes.push({ opType: 'MatMul', inputs: [`h${i}`, 'w'], outputs: [`h${i + 1}`] });
  }
  nodes.push({
    opType: 'ReduceMean',
    inputs: [`h${repeats}`],
    outputs: [y],
    attributes: { axes: attr.ints([0]), keepdims: attr.int(1) },
  });
  writeOnnxModel(file, {
    opsetImports: [{ version: 13 }],
    graph: {
      name: 'slow_matmul_chain',
      nodes,
      initializers: [
        { name: 'w', dims: [size, size], data: weight },
        { name: 'expand_shape', dims: [2], data: BigInt64Array.from([BigInt(rows), BigInt(size)]) },
      ],
      inputs: [{ name: x, shape: [1, size] }],
      outputs: [{ name: y, shape: [1, size] }],
    },
  });
}

export interface SlowDetectorModelOptions {
  /** Number of chained MatMul nodes; the run time is linear in it. Default 112. */
  repeats?: number;
  /** Input side (square, 3 channels). Default 640, as YOLOv8. */
  inputSize?: number;
  /** Default 80 (COCO). */
  numClasses?: number;
  /** Default 8400, YOLOv8's anchor count at 640. */
  numAnchors?: number;
  /** Default "images". */
  inputName?: string;
  /** Default "output0". */
  outputName?: string;
}

/**
 * A slow stand-in with the signature of the YOLOv8 detector (`images` float32 [1,3,640,640] →
 * `output0` float32 [1,84,8400]) whose output is all zeros, so every image gives 0 detections
 * at any confidence above 0: for lock-renewal and timeout tests through the real worker.
 *
 * Graph: the input reshaped to [rows,2048] (rows = 3·640·640/2048 = 600) → `repeats` × MatMul
 * with one shared 2048×2048 weight whose entries are 1/2048 (so values stay those of the input's
 * row means) → ReduceMean to one number → Mul by 0 → Expand to [1,84,8400]. The output depends
 * on the whole chain, so onnxruntime cannot prune it.
 *
 * Cost is 2·600·2048²·repeats flops (≈ 5 Gflop per MatMul, 564 Gflop at the default 112).
 * Measured with onnxruntime-node 1.30 on the 2-core build VM (graphOptimizationLevel `all`,
 * sequential, 2 intra-op threads), ms per run at the default 112: 3,100–3,700 when the
 * machine is otherwise idle (`buildSlowModel`'s default ran 1,490–1,980 alongside), 4,400–7,200
 * while other test suites share the cores. The time is linear in `repeats`.
 */
export function buildSlowDetectorModel(file: string, opts: SlowDetectorModelOptions = {}): void {
  const size = 2048;
  const repeats = opts.repeats ?? 112;
  const inputSize = opts.inputSize ?? 640;
  const numClasses = opts.numClasses ?? 80;
  const numAnchors = opts.numAnchors ?? 8400;
  const input = opts.inputName ?? 'images';
  const output = opts.outputName ?? 'output0';
  if (repeats < 1) throw new RangeError('repeats must be at least 1');
  const elements = 3 * inputSize * inputSize;
  if (elements % size !== 0) throw new RangeError(`3·${inputSize}² is not a multiple of ${size}`);
  const rows = elements / size;

  const nodes: NodeSpec[] = [{ opType: 'Reshape', inputs: [input, 'rows_shape'], outputs: ['h0'] }];
  for (let i = 0; i < repeats; i++) {
    nodes.push({ opType: 'MatMul', inputs: [`h${i}`, 'w'], outputs: [`h${i + 1}`] });
  }
  nodes.push(
    // No axes: reduce everything to a [1,1] mean.
    {
      opType: 'ReduceMean',
      inputs: [`h${repeats}`],
      outputs: ['mean'],
      attributes: { keepdims: attr.int(1) },
    },
    { opType: 'Mul', inputs: ['mean', 'zero'], outputs: ['nothing'] },
    { opType: 'Expand', inputs: ['nothing', 'output_shape'], outputs: [output] },
  );
  writeOnnxModel(file, {
    opsetImports: [{ version: 13 }],
    metadata: {
      description: 'slow YOLOv8-signature test detector: all-zero output, see test/support/onnx-builder.ts',
    },
    graph: {
      name: 'slow_detector',
      nodes,
      initializers: [
        { name: 'w', dims: [size, size], data: new Float32Array(size * size).fill(1 / size) },
        { name: 'rows_shape', dims: [2], data: BigInt64Array.from([BigInt(rows), BigInt(size)]) },
        { name: 'zero', dims: [], data: [0] },
        {
          name: 'output_shape',
          dims: [3],
          data: BigInt64Array.from([1n, BigInt(4 + numClasses), BigInt(numAnchors)]),
        },
      ],
      inputs: [{ name: input, shape: [1, 3, inputSize, inputSize] }],
      outputs: [{ name: output, shape: [1, 4 + numClasses, numAnchors] }],
    },
  });
}

/**
 * One RGB colour per class. A pixel painted with `SCHP_LIKE_COLOURS[k]` is classified as k
 * by the model from `buildSchpLikeModel`. These are the standard LIP palette colours; class 0
 * is black, which is also the value SCHP pads with, so padding reads as background. The set
 * holds both (128,0,0) and (0,0,128) and similar swapped pairs, so an RGB/BGR mix-up in the
 * pipeline gives the wrong classes instead of passing unnoticed.
 */
export const SCHP_LIKE_COLOURS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [128, 0, 0],
  [255, 0, 0],
  [0, 85, 0],
  [170, 0, 51],
  [255, 85, 0],
  [0, 0, 85],
  [0, 119, 221],
  [85, 85, 0],
  [0, 85, 85],
  [85, 51, 0],
  [52, 86, 128],
  [0, 128, 0],
  [0, 0, 255],
  [51, 170, 221],
  [0, 255, 255],
  [85, 255, 170],
  [170, 255, 85],
  [255, 255, 0],
  [255, 170, 0],
];

/** SCHP's input normalisation: BGR, `(x/255 − mean)/std` with ImageNet statistics in BGR order. */
export const SCHP_MEAN_BGR = [0.406, 0.456, 0.485] as const;
export const SCHP_STD_BGR = [0.225, 0.224, 0.229] as const;

export interface SchpLikeModelOptions {
  /** Input side (square). Default 473, as SCHP's LIP model. */
  inputSize?: number;
  /** Default "input.1", the name torch.onnx gave the exported SCHP input. */
  inputName?: string;
  /** Batch dim of input and outputs: 1 (default, like the real export) or a symbolic name. */
  batch?: Dim;
}

/** Output names of `buildSchpLikeModel`, in the real export's order: parsing, fusion, edge. */
export const SCHP_LIKE_OUTPUTS = { parsing: 'parsing', fusion: 'fusion', edge: 'edge' } as const;

/** Side of the SCHP logit maps for an input side: conv1 (stride 2) then max-pool (stride 2). */
export function schpOutputSize(inputSize: number): number {
  return Math.floor((inputSize - 1) / 4) + 1;
}

/**
 * A stand-in with the signature of SCHP's LIP parser (`parsing_lip.onnx` as exported for
 * OOTDiffusion / IDM-VTON): input float32 [1,3,473,473] (BGR, ImageNet mean/std), outputs
 * `parsing` [1,20,119,119], `fusion` [1,20,119,119] (the one SCHP's own code reads, output
 * index 1) and `edge` [1,2,119,119]; all are logits on a grid whose corners line up with the
 * input's corners (SCHP upsamples them with align_corners=True).
 *
 * The `fusion` output is a known function of the input: a 5×5 stride-4 mean (AveragePool,
 * pads 2, padding not counted, so grid cell i is centred on input pixel 4i as align_corners
 * assumes and the input's borders are not darkened) followed by a 1×1 Conv computing, for
 * every class k, `2·c_k·x − |c_k|²`, where c_k is `SCHP_LIKE_COLOURS[k]` in normalised BGR
 * space. That is `|x|² − |x − c_k|²`, so the arg-max over classes is the class whose colour is
 * nearest to the local mean colour: a region painted in colour k reads as class k away from
 * its edges (2 grid cells = 8 input pixels).
 *
 * `parsing` holds the same logits with the classes rotated by one (k reads as k+1), so a
 * pipeline that takes the wrong output fails the test instead of passing by accident.
 */
export function buildSchpLikeModel(file: string, opts: SchpLikeModelOptions = {}): void {
  const size = opts.inputSize ?? 473;
  const inputName = opts.inputName ?? 'input.1';
  const batch = opts.batch ?? 1;
  const numClasses = SCHP_LIKE_COLOURS.length;
  const out = schpOutputSize(size);

  // Class centres in the network's input space (normalised BGR).
  const centres = SCHP_LIKE_COLOURS.map(([r, g, b]) =>
    [b, g, r].map((v, c) => (v / 255 - SCHP_MEAN_BGR[c]) / SCHP_STD_BGR[c]),
  );
  const w = new Float32Array(numClasses * 3);
  const bias = new Float32Array(numClasses);
  centres.forEach((c, k) => {
    for (let ch = 0; ch < 3; ch++) w[k * 3 + ch] = 2 * c[ch];
    bias[k] = -(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
  });
  // Rotated copy for the decoy `parsing` output: output channel k+1 gets class k's filter.
  const wRot = new Float32Array(numClasses * 3);
  const biasRot = new Float32Array(numClasses);
  for (let k = 0; k < numClasses; k++) {
    const to = (k + 1) % numClasses;
    wRot.set(w.subarray(k * 3, k * 3 + 3), to * 3);
    biasRot[to] = bias[k];
  }
  // Edge head: two channels, "no edge" = 0 and "edge" = mean of the input's channels.
  const wEdge = new Float32Array([0, 0, 0, 1 / 3, 1 / 3, 1 / 3]);

  writeOnnxModel(file, {
    opsetImports: [{ version: 13 }],
    metadata: {
      description: 'SCHP-like test parser: nearest-colour classes, see test/support/onnx-builder.ts',
    },
    graph: {
      name: 'schp_like',
      nodes: [
        {
          opType: 'AveragePool',
          inputs: [inputName],
          outputs: ['pooled'],
          attributes: {
            kernel_shape: attr.ints([5, 5]),
            strides: attr.ints([4, 4]),
            pads: attr.ints([2, 2, 2, 2]),
            count_include_pad: attr.int(0),
          },
        },
        {
          opType: 'Conv',
          inputs: ['pooled', 'cls_w', 'cls_b'],
          outputs: [SCHP_LIKE_OUTPUTS.fusion],
          attributes: { kernel_shape: attr.ints([1, 1]) },
        },
        {
          opType: 'Conv',
          inputs: ['pooled', 'rot_w', 'rot_b'],
          outputs: [SCHP_LIKE_OUTPUTS.parsing],
          attributes: { kernel_shape: attr.ints([1, 1]) },
        },
        {
          opType: 'Conv',
          inputs: ['pooled', 'edge_w'],
          outputs: [SCHP_LIKE_OUTPUTS.edge],
          attributes: { kernel_shape: attr.ints([1, 1]) },
        },
      ],
      initializers: [
        { name: 'cls_w', dims: [numClasses, 3, 1, 1], data: w },
        { name: 'cls_b', dims: [numClasses], data: bias },
        { name: 'rot_w', dims: [numClasses, 3, 1, 1], data: wRot },
        { name: 'rot_b', dims: [numClasses], data: biasRot },
        { name: 'edge_w', dims: [2, 3, 1, 1], data: wEdge },
      ],
      inputs: [{ name: inputName, shape: [batch, 3, size, size] }],
      outputs: [
        { name: SCHP_LIKE_OUTPUTS.parsing, shape: [batch, numClasses, out, out] },
        { name: SCHP_LIKE_OUTPUTS.fusion, shape: [batch, numClasses, out, out] },
        { name: SCHP_LIKE_OUTPUTS.edge, shape: [batch, 2, out, out] },
      ],
    },
  });
}

/**
 * What `buildSchpLikeModel`'s `fusion` output is, computed in plain JS from a normalised CHW
 * input (one image): the reference the tests compare onnxruntime against.
 */
export function schpLikeReference(input: Float32Array, size: number): { logits: Float32Array; out: number } {
  const out = schpOutputSize(size);
  const plane = size * size;
  const numClasses = SCHP_LIKE_COLOURS.length;
  const centres = SCHP_LIKE_COLOURS.map(([r, g, b]) =>
    [b, g, r].map((v, c) => (v / 255 - SCHP_MEAN_BGR[c]) / SCHP_STD_BGR[c]),
  );
  const logits = new Float32Array(numClasses * out * out);
  for (let gy = 0; gy < out; gy++) {
    for (let gx = 0; gx < out; gx++) {
      const mean = [0, 0, 0];
      let count = 0;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const y = gy * 4 + dy;
          const x = gx * 4 + dx;
          if (y < 0 || x < 0 || y >= size || x >= size) continue; // padding is not counted
          count++;
          for (let c = 0; c < 3; c++) mean[c] += input[c * plane + y * size + x];
        }
      }
      for (let c = 0; c < 3; c++) mean[c] /= count;
      centres.forEach((ck, k) => {
        logits[k * out * out + gy * out + gx] =
          2 * (ck[0] * mean[0] + ck[1] * mean[1] + ck[2] * mean[2]) - (ck[0] ** 2 + ck[1] ** 2 + ck[2] ** 2);
      });
    }
  }
  return { logits, out };
}
