/**
 * Golden accuracy test: the default detector on coco128 through the worker's pipeline must
 * stay within 0.01 of the reference mAP (0.600 / 0.439, ../shared/models/MANIFEST.md). The
 * segmentation model is held to its box mAP (measured 0.482 / 0.353 at 320; coco128 has no
 * polygon labels, so its masks cannot be scored here).
 * Missing models or data fail this test with the reason; they never skip it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@argus/config';
import { defaultCoco128Dir, evaluateDetection } from '../apps/tools/src/eval/detect-eval';

const MODELS_DIR = path.join(REPO_ROOT, 'models');

describe('detection mAP on coco128', () => {
  it('yolov8n (fp32, the default) reaches mAP50 ≥ 0.59 and mAP50-95 ≥ 0.43', async () => {
    const datasetDir = defaultCoco128Dir();
    if (!fs.existsSync(path.join(datasetDir, 'images', 'train2017'))) {
      throw new Error(`coco128 is missing at ${datasetDir}: stage it there or set COCO128_DIR`);
    }
    // evaluateDetection verifies the model's sha256 and names the file if it is missing.
    const result = await evaluateDetection({ modelsDir: MODELS_DIR, datasetDir });
    console.log(
      `coco128 ${result.modelId}: mAP50 ${result.map50.toFixed(4)}, mAP50-95 ${result.map50_95.toFixed(4)}, ` +
        `${result.msPerImage.toFixed(1)} ms/image`,
    );
    expect(result.modelId).toBe('yolov8n');
    expect(result.images).toBe(128);
    expect(result.gtBoxes).toBe(929);
    expect(result.map50).toBeGreaterThanOrEqual(0.59);
    expect(result.map50_95).toBeGreaterThanOrEqual(0.43);
  }, 300_000);

  it('yolov8n-seg (int8, 320) boxes reach mAP50 ≥ 0.47 and mAP50-95 ≥ 0.34', async () => {
    const result = await evaluateDetection({
      modelsDir: MODELS_DIR,
      datasetDir: defaultCoco128Dir(),
      modelId: 'yolov8n-seg',
    });
    console.log(
      `coco128 ${result.modelId} boxes: mAP50 ${result.map50.toFixed(4)}, mAP50-95 ${result.map50_95.toFixed(4)}`,
    );
    expect(result.modelId).toBe('yolov8n-seg');
    expect(result.images).toBe(128);
    expect(result.map50).toBeGreaterThanOrEqual(0.47);
    expect(result.map50_95).toBeGreaterThanOrEqual(0.34);
  }, 600_000);
});
