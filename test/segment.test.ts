/**
 * Golden tests of the segmentation pipeline on the real int8 YOLOv8n-seg model and real
 * photos (../shared/models/MANIFEST.md item 2 lists what it finds). A missing model or image
 * fails with the reason; nothing is skipped. The overlays land in test-artifacts/segment/ to
 * be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@argus/config';
import {
  directSegmentRunner,
  loadSegmentModel,
  manifestPathFor,
  readManifest,
  resolveModel,
  segmentImageWith,
  type SegmentModel,
  type SegmentOutcome,
} from '@argus/models';
import { decodeRgb, decodeRle, renderSegmentOverlay, rleArea } from '@argus/vision';

const MODELS_DIR = path.join(REPO_ROOT, 'models');
const SAMPLES = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'samples');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'segment');
const LIMITS = { maxPixels: 40_000_000 };
const OPTIONS = { confidence: 0.25, iou: 0.45, maxDetections: 100 };

function readInput(file: string): Buffer {
  if (!fs.existsSync(file)) throw new Error(`test image missing: ${file} (stage ../shared/data)`);
  return fs.readFileSync(file);
}

let model: SegmentModel;

beforeAll(async () => {
  const manifest = readManifest(manifestPathFor(MODELS_DIR));
  const entry = resolveModel(manifest, 'segment');
  // Fails with "run `npm run models`" when the file is missing.
  model = await loadSegmentModel(entry, MODELS_DIR, { intraOpThreads: 1 });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await model?.session.release();
});

async function segment(name: string): Promise<SegmentOutcome> {
  const bytes = readInput(path.join(SAMPLES, name));
  const outcome = await segmentImageWith(model, directSegmentRunner(model), bytes, OPTIONS, LIMITS);
  const image = await decodeRgb(bytes, LIMITS);
  const png = await renderSegmentOverlay(image, outcome.result.instances, outcome.masks);
  fs.writeFileSync(path.join(ARTIFACTS, name.replace('.jpg', '-overlay.png')), png);
  return outcome;
}

/**
 * The MANIFEST's scores came from OpenCV's resize; libvips resamples a little differently, so
 * scores move by up to about 0.015.
 */
const SCORE_TOLERANCE = 0.02;

/** Share of each mask's pixels inside its box, and of each box covered by the mask. */
function maskChecks(outcome: SegmentOutcome) {
  const { width, height } = outcome.result.image;
  return outcome.result.instances.map((inst) => {
    const mask = decodeRle(inst.mask);
    let inside = 0;
    let total = 0;
    const { x1, y1, x2, y2 } = inst.box;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        if (!mask[y * width + x]) continue;
        total++;
        // A pixel the box edge cuts through counts as inside (the mask covers whole pixels).
        if (x + 1 > x1 && x < x2 && y + 1 > y1 && y < y2) inside++;
      }
    const boxArea = (x2 - x1) * (y2 - y1);
    return { label: inst.label, total, insideShare: total ? inside / total : 0, fill: total / boxArea };
  });
}

describe('segment golden: bus.jpg', () => {
  let outcome: SegmentOutcome;
  beforeAll(async () => {
    outcome = await segment('bus.jpg');
  }, 60_000);

  it('finds the bus and the people the MANIFEST lists, with their confidences', () => {
    const { instances, image } = outcome.result;
    expect(image).toEqual({ width: 810, height: 1080 });
    const top = instances.slice(0, 4).map((i) => [i.label, i.confidence]);
    const expected: [string, number][] = [
      ['bus', 0.913],
      ['person', 0.889],
      ['person', 0.77],
      ['person', 0.762],
    ];
    expected.forEach(([label, conf], k) => {
      expect(top[k][0]).toBe(label);
      expect(Math.abs((top[k][1] as number) - conf)).toBeLessThan(SCORE_TOLERANCE);
    });
  });

  it('gives every instance a mask at original resolution that lies inside its box and fills much of it', () => {
    const checks = maskChecks(outcome);
    for (const [k, inst] of outcome.result.instances.entries()) {
      expect(inst.mask.size).toEqual([1080, 810]);
      expect(inst.area).toBe(rleArea(inst.mask));
      expect(checks[k].insideShare).toBe(1);
    }
    // The four confident instances: a real shape, not an empty or box-filling mask.
    for (const c of checks.slice(0, 4)) {
      expect(c.fill).toBeGreaterThan(0.3);
      expect(c.fill).toBeLessThan(0.97);
    }
  });

  it('writes an overlay PNG', () => {
    expect(fs.statSync(path.join(ARTIFACTS, 'bus-overlay.png')).size).toBeGreaterThan(10_000);
  });
});

describe('segment golden: zidane.jpg', () => {
  it('finds the two people (0.880 and 0.849) with masks inside their boxes', async () => {
    const outcome = await segment('zidane.jpg');
    const people = outcome.result.instances.filter((i) => i.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(people[0].confidence - 0.88)).toBeLessThan(SCORE_TOLERANCE);
    expect(Math.abs(people[1].confidence - 0.849)).toBeLessThan(SCORE_TOLERANCE);
    const checks = maskChecks(outcome);
    for (const c of checks.filter((c) => c.label === 'person').slice(0, 2)) {
      expect(c.insideShare).toBe(1);
      expect(c.fill).toBeGreaterThan(0.2);
    }
  }, 60_000);
});
