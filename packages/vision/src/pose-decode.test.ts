import { COCO_KEYPOINTS, decodeSinglePose } from './pose-decode';
import { drawSkeleton } from './pose-draw';

/** A 3×3 grid at stride 16 with one hot cell per keypoint and known offsets. */
function grid() {
  const gw = 3;
  const gh = 3;
  const plane = gw * gh;
  const heatmaps = new Float32Array(17 * plane).fill(-5);
  const offsets = new Float32Array(34 * plane);
  COCO_KEYPOINTS.forEach((_, k) => {
    const cell = k % plane;
    heatmaps[k * plane + cell] = 3;
    offsets[k * plane + cell] = 2; // y offset
    offsets[(17 + k) * plane + cell] = -1; // x offset
  });
  return { heatmaps, offsets, gridWidth: gw, gridHeight: gh, stride: 16 };
}

describe('decodeSinglePose', () => {
  it('takes the arg-max cell per keypoint, adds its offsets (y channels first, then x) and maps to the image', () => {
    const kps = decodeSinglePose(grid(), (u, v) => ({ x: 100 + u, y: 200 + v }));
    expect(kps.map((k) => k.name)).toEqual([...COCO_KEYPOINTS]);
    // Keypoint 4 sits on cell 4 = (gx 1, gy 1): input (16 − 1, 16 + 2).
    expect(kps[4]).toMatchObject({ x: 115, y: 218 });
    expect(kps[4].score).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
  });

  it('searches only the accepted cells', () => {
    const kps = decodeSinglePose(
      grid(),
      (u, v) => ({ x: u, y: v }),
      (u) => u === 0,
    );
    // Keypoint 4's hot cell is in column 1, so it falls back to a column-0 cell with a low score.
    expect(kps[4].score).toBeLessThan(0.01);
    expect(kps[4].x).toBe(0 + 0);
  });
});

describe('drawSkeleton', () => {
  it('draws lines between confident keypoints and leaves the rest of the image alone', () => {
    const w = 40;
    const h = 40;
    const rgb = new Uint8Array(w * h * 3);
    const kps = COCO_KEYPOINTS.map((name) => ({ name, x: 0, y: 0, score: 0 }));
    kps[5] = { name: 'leftShoulder', x: 5, y: 20, score: 0.9 };
    kps[6] = { name: 'rightShoulder', x: 35, y: 20, score: 0.9 };
    drawSkeleton(rgb, w, h, kps);
    const at = (x: number, y: number) => Array.from(rgb.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    expect(at(20, 20)).toEqual([255, 255, 255]);
    expect(at(20, 2)).toEqual([0, 0, 0]);
  });
});
