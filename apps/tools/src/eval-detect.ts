/**
 * `npm run eval:detect`: COCO box mAP of a detect (or segment) model on coco128 through the
 * worker's pipeline, beside the reference numbers from ../shared/models/MANIFEST.md.
 * Flags: --model=<id> (default: the manifest's default detect model; a segment model such
 * as yolov8n-seg is scored on its boxes — coco128 has no polygon labels, so no mask AP)
 * --batch=<n>
 * Dataset: COCO128_DIR, else ../shared/data/coco128.
 */
import { loadConfig } from '@argus/config';
import { evaluateDetection } from './eval/detect-eval';

/**
 * Reference scores (mAP50, mAP50-95) from Ultralytics-style preprocessing (cv2 INTER_LINEAR,
 * pad 114) with the same protocol; see ../shared/models/MANIFEST.md items 1 and 5.
 */
const REFERENCE: Record<string, { map50: number; map50_95: number }> = {
  yolov8n: { map50: 0.6, map50_95: 0.439 },
  'yolov8n-int8': { map50: 0.601, map50_95: 0.442 },
};

function flag(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const batchArg = flag(args, 'batch');
  const batchSize = batchArg === undefined ? undefined : Number(batchArg);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new Error(`--batch must be a positive integer, got "${batchArg}"`);
  }
  const result = await evaluateDetection({
    modelsDir: config.MODELS_DIR,
    modelId: flag(args, 'model'),
    batchSize,
    intraOpThreads: config.INTRA_OP_THREADS,
    maxPixels: config.MAX_PIXELS,
  });
  const ref = REFERENCE[result.modelId];
  const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));
  const gap = (v: number, r: number | undefined) =>
    r === undefined ? '-' : `${v - r >= 0 ? '+' : ''}${(v - r).toFixed(3)}`;
  console.log(
    `model ${result.modelId}: ${result.images} images, ${result.gtBoxes} boxes, ${result.msPerImage.toFixed(1)} ms/image`,
  );
  console.log(
    ['metric'.padEnd(10), 'measured'.padStart(9), 'reference'.padStart(10), 'gap'.padStart(7)].join('  '),
  );
  for (const [name, value, reference] of [
    ['mAP50', result.map50, ref?.map50],
    ['mAP50-95', result.map50_95, ref?.map50_95],
  ] as const) {
    console.log(
      [
        name.padEnd(10),
        value.toFixed(4).padStart(9),
        fmt(reference).padStart(10),
        gap(value, reference).padStart(7),
      ].join('  '),
    );
  }
}

main().catch((err: Error) => {
  console.error(`detection eval failed:\n${err.message}`);
  process.exit(1);
});
