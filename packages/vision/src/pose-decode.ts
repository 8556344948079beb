/**
 * Single-pose decoding of PoseNet-style outputs (BodyPix's `heatmaps` and `short_offsets`):
 * for each of the 17 COCO keypoints, the grid cell with the highest heatmap logit, refined by
 * that cell's short-range offset. The offsets come as 34 channels: the y offsets of the 17
 * keypoints, then their x offsets (PoseNet's layout), in input pixels.
 */

/** COCO's 17 keypoints in order, as PoseNet and BodyPix name them. */
export const COCO_KEYPOINTS = [
  'nose',
  'leftEye',
  'rightEye',
  'leftEar',
  'rightEar',
  'leftShoulder',
  'rightShoulder',
  'leftElbow',
  'rightElbow',
  'leftWrist',
  'rightWrist',
  'leftHip',
  'rightHip',
  'leftKnee',
  'rightKnee',
  'leftAnkle',
  'rightAnkle',
] as const;

/** Skeleton edges (keypoint index pairs) drawn on the overlay, as PoseNet's `getAdjacentKeyPoints`. */
export const COCO_SKELETON: readonly (readonly [number, number])[] = [
  [5, 6],
  [5, 7],
  [7, 9],
  [6, 8],
  [8, 10],
  [5, 11],
  [6, 12],
  [11, 12],
  [11, 13],
  [13, 15],
  [12, 14],
  [14, 16],
  [0, 1],
  [0, 2],
  [1, 3],
  [2, 4],
];

export interface Keypoint {
  name: (typeof COCO_KEYPOINTS)[number];
  x: number;
  y: number;
  /** sigmoid of the heatmap logit at the chosen cell. */
  score: number;
}

export interface PoseGrid {
  /** [17, gridHeight, gridWidth] logits. */
  heatmaps: Float32Array;
  /** [34, gridHeight, gridWidth]: y offsets of the 17 keypoints, then x offsets, in input pixels. */
  offsets: Float32Array;
  gridWidth: number;
  gridHeight: number;
  /** Input pixels per grid cell: cell (gx, gy) sits on input pixel (gx·stride, gy·stride). */
  stride: number;
}

/**
 * Decodes one pose. `toImage` maps an input-pixel position to original-image pixels; `accept`
 * (optional) limits the search to cells whose input position it accepts (whole-image mode:
 * the cells inside one person's box).
 */
export function decodeSinglePose(
  grid: PoseGrid,
  toImage: (u: number, v: number) => { x: number; y: number },
  accept?: (u: number, v: number) => boolean,
): Keypoint[] {
  const { gridWidth: gw, gridHeight: gh, stride } = grid;
  const plane = gw * gh;
  const n = COCO_KEYPOINTS.length;
  if (grid.heatmaps.length < n * plane || grid.offsets.length < 2 * n * plane) {
    throw new RangeError('pose grid is smaller than 17 heatmaps and 34 offsets');
  }
  return COCO_KEYPOINTS.map((name, k) => {
    let best = -1;
    let bestValue = -Infinity;
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        if (accept && !accept(gx * stride, gy * stride)) continue;
        const v = grid.heatmaps[k * plane + gy * gw + gx];
        if (v > bestValue) {
          bestValue = v;
          best = gy * gw + gx;
        }
      }
    }
    if (best < 0) return { name, x: 0, y: 0, score: 0 };
    const gx = best % gw;
    const gy = (best - gx) / gw;
    const v = gy * stride + grid.offsets[k * plane + best];
    const u = gx * stride + grid.offsets[(n + k) * plane + best];
    const p = toImage(u, v);
    return { name, x: p.x, y: p.y, score: 1 / (1 + Math.exp(-bestValue)) };
  });
}
