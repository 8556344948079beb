/**
 * A small, dependency-free ONNX writer for tests: enough of `onnx.proto` (ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto) to build models that
 * onnxruntime loads, so tests can make models with known outputs or known run times instead
 * of downloading them. Ready-made models are in onnx-slow-models.ts and onnx-schp-like.ts.
 *
 * Encoding notes: onnx.proto is proto2, so repeated scalars are written unpacked (one key per
 * element), which every protobuf parser accepts. Tensors are stored as little-endian
 * `raw_data`. Field numbers are those of onnx.proto (IR 7+).
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
