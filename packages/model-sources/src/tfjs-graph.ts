/**
 * Reads a TF.js graph model (`model.json` + weight shards) by meaning: the JSON is parsed,
 * never compared byte for byte, so a reformatted copy of the published file converts the same.
 */
import { z } from 'zod';

const QuantizationSchema = z.object({
  min: z.number().optional(),
  scale: z.number().optional(),
  dtype: z.enum(['uint8', 'uint16', 'float16']),
});

const WeightSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
  quantization: QuantizationSchema.optional(),
});

const AttrSchema = z.record(z.string(), z.unknown());

const NodeSchema = z.object({
  name: z.string(),
  op: z.string(),
  input: z.array(z.string()).optional(),
  attr: AttrSchema.optional(),
});

export const TfjsGraphSchema = z.object({
  format: z.literal('graph-model').optional(),
  modelTopology: z.object({ node: z.array(NodeSchema) }),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(WeightSchema) })),
});

export type TfjsNode = z.infer<typeof NodeSchema>;
export type TfjsGraph = z.infer<typeof TfjsGraphSchema>;

export interface TfjsWeight {
  shape: number[];
  values: Float32Array;
}

export function parseTfjsGraph(json: string): TfjsGraph {
  const parsed = TfjsGraphSchema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    throw new Error(`not a TF.js graph model: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

/**
 * Decodes every weight from the concatenated shards, in manifest order. Quantised weights
 * are dequantised as tfjs-core does (`io/io_utils.ts`): `min + scale * q`, computed in double
 * precision and stored as float32.
 */
export function readTfjsWeights(graph: TfjsGraph, shards: readonly Buffer[]): Map<string, TfjsWeight> {
  const data = Buffer.concat(shards);
  const out = new Map<string, TfjsWeight>();
  let offset = 0;
  for (const group of graph.weightsManifest) {
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const bytesPer = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
      const end = offset + count * bytesPer;
      if (end > data.length) throw new Error(`weight ${w.name} runs past the end of the shards`);
      const values = new Float32Array(count);
      if (!q) {
        for (let i = 0; i < count; i++) values[i] = data.readFloatLE(offset + i * 4);
      } else if (q.dtype === 'float16') {
        throw new Error(`weight ${w.name}: float16 quantisation is not supported`);
      } else {
        const min = q.min ?? 0;
        const scale = q.scale ?? 1;
        for (let i = 0; i < count; i++) {
          const v = bytesPer === 1 ? data[offset + i] : data.readUInt16LE(offset + i * 2);
          values[i] = min + scale * v;
        }
      }
      out.set(w.name, { shape: w.shape, values });
      offset = end;
    }
  }
  if (offset !== data.length) throw new Error(`shards hold ${data.length} bytes, the manifest ${offset}`);
  return out;
}

/** A TF attribute's string value (`padding`, `data_format`), stored base64 in the JSON. */
export function attrString(n: TfjsNode, key: string): string | undefined {
  const v = n.attr?.[key] as { s?: string } | undefined;
  return v?.s === undefined ? undefined : Buffer.from(v.s, 'base64').toString('utf8');
}

/** A TF list-of-ints attribute (`strides`, `dilations`), whose numbers the JSON keeps as strings. */
export function attrInts(n: TfjsNode, key: string): number[] | undefined {
  const v = n.attr?.[key] as { list?: { i?: (string | number)[] } } | undefined;
  return v?.list?.i?.map(Number);
}
