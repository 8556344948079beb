/**
 * TF.js BodyPix 2.0 (MobileNetV1 graph) → ONNX, opset 13, with a dynamic batch
 * (../shared/models/MANIFEST.md items 3, 4, 6 and 7):
 * - Conv2D / DepthwiseConv2dNative → Conv with OIHW weights (depthwise: group = C_in), each
 *   BiasAdd folded into its Conv's bias; Relu6 → Clip(0, 6); Minimum/Maximum → Min/Max.
 * - The input becomes NCHW (`image`, [batch, 3, height, width]); TF `SAME` padding becomes an
 *   explicit symmetric (k−1)/2, exact for BodyPix's 16k+1 input sizes.
 * - The 8 outputs get their BodyPix names.
 * Nodes and initializers are emitted in the graph's order, so the same graph always gives the
 * same bytes.
 */
import {
  createModel,
  floatTensor,
  floatValueInfo,
  intAttr,
  intsAttr,
  node,
  type NodeProto,
  type TensorProto,
} from './onnx-io';
import { attrInts, attrString, type TfjsGraph, type TfjsWeight } from './tfjs-graph';
import type { ModelProto } from './onnx-io';
import { BODYPIX24_PARTS } from '@argus/vision';

/** TF output node → ONNX output name, in the order the outputs are declared. */
const OUTPUTS: readonly [string, string, number][] = [
  ['float_segments', 'segments', 1],
  ['float_part_heatmaps', 'part_heatmaps', 24],
  ['float_heatmaps', 'heatmaps', 17],
  ['float_short_offsets', 'short_offsets', 34],
  ['float_long_offsets', 'long_offsets', 34],
  ['MobilenetV1/displacement_fwd_2/BiasAdd', 'displacement_fwd', 32],
  ['MobilenetV1/displacement_bwd_2/BiasAdd', 'displacement_bwd', 32],
  ['float_part_offsets', 'part_offsets', 48],
];

const INPUT = 'image';
const INPUT_NCHW = 'image_nchw';

/** HWIO (Conv2D) or HW·C·M (depthwise) → OIHW; depthwise weights become [C·M, 1, H, W]. */
function toOihw(w: TfjsWeight, depthwise: boolean): { dims: number[]; data: Float32Array } {
  const [h, wd, i, o] = w.shape;
  const outC = depthwise ? i * o : o;
  const inC = depthwise ? 1 : i;
  const data = new Float32Array(w.values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let ci = 0; ci < i; ci++)
        for (let co = 0; co < o; co++) {
          const src = ((y * wd + x) * i + ci) * o + co;
          const oc = depthwise ? ci * o + co : co;
          const ic = depthwise ? 0 : ci;
          data[((oc * inC + ic) * h + y) * wd + x] = w.values[src];
        }
  return { dims: [outC, inC, h, wd], data };
}

export function convertBodyPix(graph: TfjsGraph, weights: Map<string, TfjsWeight>): ModelProto {
  const weight = (name: string): TfjsWeight => {
    const w = weights.get(name);
    if (!w) throw new Error(`BodyPix graph: weight ${name} is not in the manifest`);
    return w;
  };
  const initializers: TensorProto[] = [
    floatTensor('c_zero', [], new Float32Array([0])),
    floatTensor('c_six', [], new Float32Array([6])),
  ];
  const nodes: NodeProto[] = [node('Identity', [INPUT], [INPUT_NCHW])];
  const rename = new Map<string, string>();
  const pendingConv = new Map<string, { inputs: string[]; attrs: ReturnType<typeof intsAttr>[] }>();
  const input = (name: string): string => rename.get(name) ?? name;

  for (const n of graph.modelTopology.node) {
    const ins = n.input ?? [];
    switch (n.op) {
      case 'Const':
        break;
      case 'Placeholder':
        rename.set(n.name, INPUT_NCHW);
        break;
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const depthwise = n.op === 'DepthwiseConv2dNative';
        if ((attrString(n, 'data_format') ?? 'NHWC') !== 'NHWC') throw new Error(`${n.name}: not NHWC`);
        const w = weight(ins[1]);
        const { dims, data } = toOihw(w, depthwise);
        const wName = `${ins[1]}_oihw`;
        initializers.push(floatTensor(wName, dims, data));
        const strides = attrInts(n, 'strides') ?? [1, 1, 1, 1];
        const dilations = attrInts(n, 'dilations') ?? [1, 1, 1, 1];
        const padding = attrString(n, 'padding');
        const [kh, kw] = w.shape;
        const pads =
          padding === 'SAME' ? [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2] : [0, 0, 0, 0];
        if (pads.some((p) => !Number.isInteger(p)))
          throw new Error(`${n.name}: even kernel with SAME padding`);
        pendingConv.set(n.name, {
          inputs: [input(ins[0]), wName],
          attrs: [
            intsAttr('dilations', dilations.slice(1, 3)),
            intAttr('group', depthwise ? w.shape[2] : 1),
            intsAttr('pads', pads),
            intsAttr('strides', strides.slice(1, 3)),
          ],
        });
        break;
      }
      case 'BiasAdd': {
        const conv = pendingConv.get(ins[0]);
        if (!conv) throw new Error(`${n.name}: BiasAdd that does not follow a convolution`);
        pendingConv.delete(ins[0]);
        const b = weight(ins[1]);
        initializers.push(floatTensor(ins[1], b.shape, b.values));
        nodes.push(node('Conv', [...conv.inputs, ins[1]], [n.name], n.name, conv.attrs));
        break;
      }
      case 'Relu6':
        nodes.push(node('Clip', [input(ins[0]), 'c_zero', 'c_six'], [n.name], n.name));
        break;
      case 'Minimum':
      case 'Maximum': {
        const c = weight(ins[1]);
        initializers.push(floatTensor(ins[1], c.shape, c.values));
        nodes.push(node(n.op === 'Minimum' ? 'Min' : 'Max', [input(ins[0]), ins[1]], [n.name], n.name));
        break;
      }
      default:
        throw new Error(`BodyPix graph: op ${n.op} (${n.name}) has no conversion`);
    }
  }
  if (pendingConv.size)
    throw new Error(`convolutions without a BiasAdd: ${[...pendingConv.keys()].join(', ')}`);
  for (const [tfName, onnxName] of OUTPUTS) nodes.push(node('Identity', [tfName], [onnxName]));

  return createModel({
    irVersion: 7n,
    producerName: 'tfjs-graph-model-manual-conversion',
    opsetImport: [{ domain: '', version: 13n }],
    graph: {
      name: 'bodypix_mobilenetv1',
      node: nodes,
      initializer: initializers,
      input: [floatValueInfo(INPUT, ['batch', 3, 'height', 'width'])],
      output: OUTPUTS.map(([, name, c]) => floatValueInfo(name, ['batch', c, 'out_h', 'out_w'])),
    },
    metadataProps: [
      { key: 'source', value: 'TF.js BodyPix 2.0 MobileNetV1 (model-stride16.json)' },
      { key: 'preprocess', value: 'RGB, NCHW, x/127.5-1, H and W = 16k+1' },
      { key: 'part_names', value: BODYPIX24_PARTS.join(',') },
      { key: 'batch', value: 'dynamic' },
    ],
  });
}
