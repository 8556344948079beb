/**
 * `buildSchpLikeModel`: an SCHP-signature human parser (written with onnx-writer.ts) whose
 * output is a known function of its input, with the colours, normalisation and reference
 * implementation the parse tests check it against.
 */
import { attr, writeOnnxModel, type Dim } from './onnx-writer';

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
