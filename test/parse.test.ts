/**
 * Golden tests of the parse pipeline on real models and real images, plus the SCHP path on a
 * generated model whose output is known. A missing model, image or data set fails these
 * tests with the reason; nothing is skipped.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from '@argus/config';
import type { ParseOptions, ParseResult } from '@argus/contracts';
import {
  loadDetectModel,
  loadParseModel,
  manifestPathFor,
  parseImage,
  planPersonCrops,
  prepareParseInput,
  readManifest,
  resolveModel,
  runParse,
  runParseBatch,
  sessionRun,
  decodeParseJob,
  type DetectModel,
  type ParseModel,
} from '@argus/models';
import {
  LIP20_LABELS,
  LIP20_PALETTE,
  decodeRgb,
  decodeRle,
  encodeRgbPng,
  type RgbImage,
} from '@argus/vision';
import { PARSE_REFERENCE, evaluateParsing } from '../apps/tools/src/eval/parse-eval';
import { SCHP_LIKE_COLOURS, SCHP_MEAN_BGR, SCHP_STD_BGR, buildSchpLikeModel } from './support/onnx-builder';
import { readIndexedPng } from './support/indexed-png';

const MODELS_DIR = path.join(REPO_ROOT, 'models');
const SHARED = path.resolve(REPO_ROOT, '..', 'shared', 'data');
const SAMPLES = path.join(SHARED, 'samples');
/** A coco128 photo (bowls of food) whose labels have no person, and in which neither mode finds one. */
const NO_PERSON = path.join(SHARED, 'coco128', 'images', 'train2017', '000000000009.jpg');
const LIMITS = { maxPixels: 40_000_000 };
const OPTIONS: ParseOptions = {
  threshold: 0.5,
  alpha: 0.5,
  mode: 'crops',
  personConfidence: 0.25,
  maxPersons: 20,
  pose: false,
};

function readInput(file: string): Buffer {
  if (!fs.existsSync(file)) throw new Error(`test image missing: ${file} (stage ../shared/data)`);
  return fs.readFileSync(file);
}

let parts: ParseModel;
let persons: DetectModel;

beforeAll(async () => {
  // Throws ModelFileError naming the file and `npm run models` when a model is missing.
  const manifest = readManifest(manifestPathFor(MODELS_DIR));
  parts = await loadParseModel(resolveModel(manifest, 'parse', 'bodypix-075'), MODELS_DIR, {
    intraOpThreads: 0,
  });
  persons = await loadDetectModel(resolveModel(manifest, 'detect'), MODELS_DIR, { intraOpThreads: 0 });
});

afterAll(async () => {
  await parts?.session.release();
  await persons?.session.release();
});

const inside = (
  inner: ParseResult['persons'][number]['box'],
  outer: ParseResult['persons'][number]['box'],
  slack: number,
) => {
  const sx = slack * (outer.x2 - outer.x1);
  const sy = slack * (outer.y2 - outer.y1);
  return (
    inner.x1 >= outer.x1 - sx &&
    inner.y1 >= outer.y1 - sy &&
    inner.x2 <= outer.x2 + sx &&
    inner.y2 <= outer.y2 + sy
  );
};

/** Checks shared by every parse result: sizes, disjoint masks, consistent counts, small JSON. */
async function checkConsistency(
  bytes: Buffer,
  result: ParseResult,
  artifacts: Awaited<ReturnType<typeof parseImage>>['artifacts'],
) {
  const input = await decodeRgb(bytes, LIMITS);
  expect(result.image).toEqual({ width: input.width, height: input.height });
  const overlay = await sharp(artifacts.overlayPng).metadata();
  expect([overlay.width, overlay.height, overlay.format]).toEqual([input.width, input.height, 'png']);
  const labels = readIndexedPng(artifacts.labelsPng);
  expect([labels.width, labels.height, labels.colourType]).toEqual([input.width, input.height, 3]);
  expect(labels.palette).toEqual(LIP20_PALETTE);
  expect(artifacts.personMaskPngs).toHaveLength(result.numPersons);
  expect(result.persons.map((p) => p.id)).toEqual(result.persons.map((_, i) => i + 1));

  // Pixel checks are counted and asserted once: an expect() per pixel would take minutes.
  const seen = new Uint8Array(input.width * input.height);
  let shared = 0;
  let unlabelled = 0;
  let maskMismatch = 0;
  for (const [i, person] of result.persons.entries()) {
    const mask = decodeRle(person.mask);
    const png = readIndexedPng(artifacts.personMaskPngs[i]);
    let area = 0;
    for (let p = 0; p < mask.length; p++) {
      if ((png.pixels[p] === 255) !== (mask[p] === 1)) maskMismatch++;
      if (!mask[p]) continue;
      area++;
      if (seen[p]) shared++;
      seen[p] = 1;
      if (labels.pixels[p] === 0) unlabelled++;
    }
    expect(area).toBe(person.parts.reduce((a, x) => a + x.pixels, 0));
    for (const part of person.parts) expect(LIP20_LABELS).toContain(part.label);
  }
  let orphans = 0;
  for (let p = 0; p < seen.length; p++) if (labels.pixels[p] !== 0 && !seen[p]) orphans++;
  // No pixel belongs to two people; every person pixel is labelled and every labelled pixel
  // belongs to someone; the mask PNGs and the RLE masks agree.
  expect({ shared, unlabelled, orphans, maskMismatch }).toEqual({
    shared: 0,
    unlabelled: 0,
    orphans: 0,
    maskMismatch: 0,
  });
  expect(JSON.stringify(result).length).toBeLessThan(100_000);
}

describe('parseImage with BodyPix 0.75 and the YOLOv8n person detector', () => {
  it('zidane.jpg: 2 people, each with a face and a torso inside their own box', async () => {
    const bytes = readInput(path.join(SAMPLES, 'zidane.jpg'));
    const { result, artifacts } = await parseImage({ parts, persons }, bytes, OPTIONS, LIMITS);
    expect(result.mode).toBe('crops');
    expect(result.model.id).toBe('bodypix-075');
    expect(result.personModel?.id).toBe('yolov8n');
    expect(result.numPersons).toBe(2);
    for (const person of result.persons) {
      const face = person.parts.find((p) => p.label === 'Face');
      const torso = person.parts.find((p) => p.label === 'UpperClothes');
      expect(face && torso).toBeTruthy();
      expect(face!.pixels).toBeGreaterThan(5_000);
      expect(torso!.pixels).toBeGreaterThan(20_000);
      expect(inside(face!.box, person.box, 0.05)).toBe(true);
      expect(inside(torso!.box, person.box, 0.05)).toBe(true);
      // The face sits above the torso's middle.
      expect((face!.box.y1 + face!.box.y2) / 2).toBeLessThan((torso!.box.y1 + torso!.box.y2) / 2);
    }
    // The two faces are different regions, one per person, left and right.
    const faces = result.persons
      .map((p) => p.parts.find((x) => x.label === 'Face')!.box)
      .sort((a, b) => a.x1 - b.x1);
    expect(faces[0].x2).toBeLessThan(faces[1].x1);
    expect(result.partsDetected).toEqual(
      expect.arrayContaining(['Face', 'UpperClothes', 'Left-arm', 'Right-arm']),
    );
    expect(result.legend[0]).toEqual({ id: 0, label: 'Background', color: '#000000' });
    expect(result.timings.inferMs).toBeGreaterThan(0);
    expect(result.timings.detectMs).toBeGreaterThan(0);
    await checkConsistency(bytes, result, artifacts);
  });

  it('bus.jpg: at least 3 people with legs and feet', async () => {
    const bytes = readInput(path.join(SAMPLES, 'bus.jpg'));
    const { result, artifacts } = await parseImage({ parts, persons }, bytes, OPTIONS, LIMITS);
    expect(result.numPersons).toBeGreaterThanOrEqual(3);
    expect(result.partsDetected).toEqual(
      expect.arrayContaining(['Face', 'UpperClothes', 'Left-leg', 'Right-leg', 'Left-shoe']),
    );
    const withFace = result.persons.filter((p) => p.parts.some((x) => x.label === 'Face'));
    expect(withFace.length).toBeGreaterThanOrEqual(2);
    await checkConsistency(bytes, result, artifacts);
  });

  it('bus.jpg in whole-image mode also finds people (split by connected regions)', async () => {
    const bytes = readInput(path.join(SAMPLES, 'bus.jpg'));
    const { result, artifacts } = await parseImage(
      { parts, persons },
      bytes,
      { ...OPTIONS, mode: 'whole' },
      LIMITS,
    );
    expect(result.mode).toBe('whole');
    expect(result.personModel).toBeUndefined();
    expect(result.timings.detectMs).toBe(0);
    expect(result.numPersons).toBeGreaterThanOrEqual(1);
    await checkConsistency(bytes, result, artifacts);
  });

  it('a photo without people: 0 people, and the overlay is the input unchanged', async () => {
    const bytes = readInput(NO_PERSON);
    const input = await decodeRgb(bytes, LIMITS);
    for (const mode of ['crops', 'whole'] as const) {
      const { result, artifacts } = await parseImage({ parts, persons }, bytes, { ...OPTIONS, mode }, LIMITS);
      expect(result.numPersons).toBe(0);
      expect(result.persons).toEqual([]);
      expect(result.partsDetected).toEqual([]);
      expect(result.legend).toEqual([{ id: 0, label: 'Background', color: '#000000' }]);
      expect(artifacts.personMaskPngs).toEqual([]);
      const overlay = await decodeRgb(artifacts.overlayPng, LIMITS);
      expect([overlay.width, overlay.height]).toEqual([input.width, input.height]);
      expect(Buffer.from(overlay.data).equals(Buffer.from(input.data))).toBe(true);
      expect(readIndexedPng(artifacts.labelsPng).pixels.every((v) => v === 0)).toBe(true);
    }
  });

  it('falls back to whole-image mode when no person detector is loaded', async () => {
    const bytes = readInput(path.join(SAMPLES, 'zidane.jpg'));
    const { result } = await parseImage({ parts }, bytes, OPTIONS, LIMITS);
    expect(result.mode).toBe('whole');
    expect(result.numPersons).toBeGreaterThanOrEqual(1);
  });
});

describe('CIHP accuracy (coarse 6-class mIoU, ../shared/data/cihp_val5)', () => {
  it('whole-image mode is not worse than the reference, and crop-and-paste beats it', async () => {
    const result = await evaluateParsing({ modelsDir: MODELS_DIR, modelId: 'bodypix-075' });
    const [whole, crops] = result.results;
    const ref = PARSE_REFERENCE['bodypix-075'];
    console.log(
      result.results
        .map(
          (r) =>
            `${r.mode}: mIoU ${r.miou.toFixed(3)}, person IoU ${r.personIou.toFixed(3)}, ${r.msPerImage.toFixed(0)} ms/image`,
        )
        .join('\n'),
    );
    expect(result.modelId).toBe('bodypix-075');
    expect(whole.mode).toBe('whole');
    expect(whole.images).toBe(5);
    expect(whole.miou).toBeGreaterThanOrEqual(ref.miou);
    expect(whole.personIou).toBeGreaterThanOrEqual(ref.personIou);
    expect(crops.mode).toBe('crops');
    expect(crops.miou).toBeGreaterThan(whole.miou);
    expect(crops.personIou).toBeGreaterThanOrEqual(ref.personIou);
  }, 120_000);

  it("BodyPix's left/right parts land on CIHP's Left-*/Right-* labels, not the swapped ones", async () => {
    const dir = path.join(SHARED, 'cihp_val5');
    const ids = fs.readFileSync(path.join(dir, 'val_id.txt'), 'utf8').split('\n').filter(Boolean);
    let same = 0;
    let swapped = 0;
    const { decodeGrayLabels } = await import('@argus/vision');
    for (const id of ids) {
      const parsed = await runParse(
        { parts },
        readInput(path.join(dir, 'images', `${id}.jpg`)),
        { ...OPTIONS, mode: 'whole' },
        LIMITS,
      );
      const gt = await decodeGrayLabels(readInput(path.join(dir, 'labels', `${id}.png`)));
      for (let i = 0; i < gt.labels.length; i++) {
        const p = parsed.canvas.labels[i];
        const g = gt.labels[i];
        // Ids 14–19 come in left/right pairs: (14, 15) arms, (16, 17) legs, (18, 19) shoes.
        if (p < 14 || g < 14 || p >> 1 !== g >> 1) continue;
        if (p === g) same++;
        else swapped++;
      }
    }
    expect(same).toBeGreaterThan(4 * swapped);
  }, 60_000);
});

describe('the SCHP path (generated SCHP-signature model with a known output)', () => {
  let dir: string;
  let schp: ParseModel;

  /**
   * A 640×480 test card: black background (SCHP's background colour) and, in the middle, a
   * 5×4 grid of 80-pixel blocks painted with the model's class colours 1…19. The blocks touch,
   * so they form one "person".
   */
  const W = 640;
  const H = 480;
  const GRID = { x: 120, y: 80, cell: 80, cols: 5 };
  const classAt = (x: number, y: number) => {
    const cx = Math.floor((x - GRID.x) / GRID.cell);
    const cy = Math.floor((y - GRID.y) / GRID.cell);
    if (x < GRID.x || y < GRID.y || cx >= GRID.cols || cy >= 4) return 0;
    const k = 1 + cy * GRID.cols + cx;
    return k <= 19 ? k : 0;
  };
  /** True when every pixel within `m` of (x, y) has the same expected class. */
  const interior = (x: number, y: number, m: number) => {
    const k = classAt(x, y);
    return [-m, 0, m].every((dx) => [-m, 0, m].every((dy) => classAt(x + dx, y + dy) === k));
  };
  let card: RgbImage;
  let cardPng: Buffer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-schp-'));
    const modelFile = path.join(dir, 'schp_like_lip.onnx');
    buildSchpLikeModel(modelFile);
    fs.mkdirSync(path.join(dir, 'labels'));
    fs.copyFileSync(path.join(MODELS_DIR, 'labels', 'lip20.txt'), path.join(dir, 'labels', 'lip20.txt'));
    const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    const entry = {
      id: 'schp-like',
      task: 'parse',
      default: true,
      format: 'schp',
      file: 'schp_like_lip.onnx',
      bytes: fs.statSync(modelFile).size,
      sha256: sha(modelFile),
      url: null,
      source: 'generated by test/support/onnx-builder.ts buildSchpLikeModel',
      license: 'test',
      input: { name: 'input.1', shape: [1, 3, 473, 473] },
      outputs: { logits: 'fusion' },
      batch: { dynamic: false },
      preprocess: {
        resize: 'letterbox',
        width: 473,
        height: 473,
        pad: 0,
        scale: 1 / 255,
        offset: 0,
        channelOrder: 'bgr',
        mean: [...SCHP_MEAN_BGR],
        std: [...SCHP_STD_BGR],
      },
      labels: 'labels/lip20.txt',
      labelsSha256: sha(path.join(dir, 'labels', 'lip20.txt')),
    };
    fs.writeFileSync(manifestPathFor(dir), JSON.stringify({ models: [entry] }, null, 2));
    const manifest = readManifest(manifestPathFor(dir));
    schp = await loadParseModel(resolveModel(manifest, 'parse'), dir, { intraOpThreads: 1 });

    const data = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) data.set(SCHP_LIKE_COLOURS[classAt(x, y)], (y * W + x) * 3);
    card = { data, width: W, height: H };
    cardPng = await encodeRgbPng(card);
  });

  afterAll(async () => {
    await schp?.session.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('whole image: the label map is the known one (BGR, ImageNet mean/std, letterbox, fusion output)', async () => {
    const { result, artifacts } = await parseImage(
      { parts: schp },
      cardPng,
      { ...OPTIONS, mode: 'whole' },
      LIMITS,
    );
    expect(result.model.id).toBe('schp-like');
    expect(result.numPersons).toBe(1);
    expect(result.partsDetected).toEqual(LIP20_LABELS.slice(1));
    const labels = readIndexedPng(artifacts.labelsPng).pixels;
    let checked = 0;
    for (let y = 0; y < H; y += 2) {
      for (let x = 0; x < W; x += 2) {
        if (!interior(x, y, 12)) continue;
        expect(labels[y * W + x]).toBe(classAt(x, y));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40_000);
    // Block edges blend two colours, which can read as a third class, so counts are only close.
    const person = result.persons[0];
    const hat = person.parts.find((p) => p.label === 'Hat')!;
    expect(Math.abs(hat.pixels - 80 * 80)).toBeLessThan(0.25 * 80 * 80);
    expect(Math.abs(decodeRle(person.mask).reduce((a, b) => a + b, 0) - 19 * 80 * 80)).toBeLessThan(
      0.05 * 19 * 80 * 80,
    );
  });

  it('a person crop: the letterboxed crop decodes back onto the same pixels', async () => {
    const box = { x1: GRID.x, y1: GRID.y, x2: GRID.x + 5 * GRID.cell, y2: GRID.y + 4 * GRID.cell };
    const [job] = planPersonCrops(card, [{ box, score: 0.9 }], schp.entry, {
      cropMaxSide: 385,
      cropMargin: 0.15,
      boxSlack: 0.04,
    });
    expect(job.input).toEqual({ width: 473, height: 473 });
    const [output] = await runParseBatch(
      schp,
      sessionRun(schp.session),
      [prepareParseInput(card, job, schp.entry)],
      job.input,
    );
    expect([output.gridWidth, output.gridHeight]).toEqual([119, 119]);
    const labels = decodeParseJob(output, job, schp, 0.5);
    const rw = job.rect.x2 - job.rect.x1;
    let checked = 0;
    for (let y = job.rect.y1; y < job.rect.y2; y += 2) {
      for (let x = job.rect.x1; x < job.rect.x2; x += 2) {
        if (!interior(x, y, 8)) continue;
        expect(labels[(y - job.rect.y1) * rw + (x - job.rect.x1)]).toBe(classAt(x, y));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  });
});
