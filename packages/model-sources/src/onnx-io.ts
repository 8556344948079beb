/**
 * The one place that reads and writes ONNX files. `onnx-buf` is the official onnx.proto
 * compiled with protobuf-es; it serialises proto2 the way the reference (C++) protobuf does
 * (unpacked repeated scalars, fields in number order), so a model built here can match a
 * file written by the Python `onnx` package byte for byte.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  TensorProto_DataType,
  ValueInfoProtoSchema,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';

export type { ModelProto, NodeProto, TensorProto, ValueInfoProto, AttributeProto };

/** `TensorProto.data_type` values; the field itself is a plain int32. */
export const DataType = {
  FLOAT: TensorProto_DataType.FLOAT as number,
  UINT8: TensorProto_DataType.UINT8 as number,
  INT8: TensorProto_DataType.INT8 as number,
  INT64: TensorProto_DataType.INT64 as number,
};

export function decodeModel(bytes: Uint8Array): ModelProto {
  return fromBinary(ModelProtoSchema, bytes);
}

export function encodeModel(model: ModelProto): Buffer {
  return Buffer.from(toBinary(ModelProtoSchema, model));
}

export function createModel(init: MessageInitShape<typeof ModelProtoSchema>): ModelProto {
  return create(ModelProtoSchema, init);
}

/** A float32 initializer stored as little-endian raw bytes (what `numpy_helper.from_array` writes). */
export function floatTensor(name: string, dims: readonly number[], data: Float32Array): TensorProto {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.FLOAT,
    rawData: raw,
  });
}

/** Float32 values of an initializer, whether stored as raw bytes or as `float_data`. */
export function tensorFloats(t: TensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new Error(`tensor ${t.name} is not float32`);
  if (t.rawData.length) return new Float32Array(t.rawData.slice().buffer);
  return Float32Array.from(t.floatData);
}

export function intsAttr(name: string, values: readonly number[]): AttributeProto {
  return create(AttributeProtoSchema, {
    name,
    ints: values.map(BigInt),
    type: AttributeProto_AttributeType.INTS,
  });
}

export function intAttr(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, i: BigInt(value), type: AttributeProto_AttributeType.INT });
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  name = '',
  attribute: AttributeProto[] = [],
): NodeProto {
  // proto2 keeps presence: an empty name would still be written, so leave it unset instead.
  return create(NodeProtoSchema, {
    opType,
    input: inputs,
    output: outputs,
    attribute,
    ...(name ? { name } : {}),
  });
}

/** A float32 tensor value-info; string dims are symbolic (`batch`), numbers fixed. */
export function floatValueInfo(name: string, dims: readonly (number | string)[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: TensorProto_DataType.FLOAT,
          shape: {
            dim: dims.map((d) =>
              typeof d === 'number'
                ? { value: { case: 'dimValue' as const, value: BigInt(d) } }
                : { value: { case: 'dimParam' as const, value: d } },
            ),
          },
        },
      },
    },
  });
}
