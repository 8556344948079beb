import { LIP20_LABELS, createPersonCanvas, decodeRle, rleArea, type ScoredBox } from '@argus/vision';
import { ModelEntrySchema, type ModelEntry } from '../manifest.schema';
import {
  buildParseResult,
  decodeParseJob,
  planClothesJob,
  planPersonCrops,
  planWholeImage,
  selectPersons,
  splitWholeImage,
  type ParsedImage,
} from '.';

const base = {
  task: 'parse',
  bytes: 1,
  sha256: 'a'.repeat(64),
  url: null,
  source: 'test',
  license: 'test',
  batch: { dynamic: true },
  labelsSha256: 'b'.repeat(64),
};

const bodypix: ModelEntry = ModelEntrySchema.parse({
  ...base,
  id: 'bp',
  format: 'bodypix',
  file: 'bp.onnx',
  input: { name: 'image', shape: ['batch', 3, 'height', 'width'] },
  outputs: { segments: 'segments', parts: 'part_heatmaps' },
  preprocess: { resize: 'stride', width: 513, height: 513, stride: 16, scale: 1 / 127.5, offset: -1 },
  labels: 'labels/bodypix24.txt',
});

const schp: ModelEntry = ModelEntrySchema.parse({
  ...base,
  id: 'schp',
  format: 'schp',
  file: 'schp.onnx',
  input: { name: 'input.1', shape: [1, 3, 473, 473] },
  outputs: { logits: 'fusion' },
  preprocess: { resize: 'letterbox', width: 473, height: 473, pad: 0, scale: 1 / 255, channelOrder: 'bgr' },
  labels: 'labels/lip20.txt',
});

describe('planWholeImage', () => {
  it('BodyPix: long side 513, short side 16k+1, region grown (not squeezed) to the input aspect', () => {
    const job = planWholeImage({ width: 1280, height: 720 }, bodypix);
    expect(job.input).toEqual({ width: 513, height: 289 });
    expect(job.region.width).toBe(1280);
    expect(job.region.width / job.region.height).toBeCloseTo(513 / 289, 9);
    expect(job.region.height).toBeGreaterThanOrEqual(720);
    expect(job.rect).toEqual({ x1: 0, y1: 0, x2: 1280, y2: 720 });
    expect(planWholeImage({ width: 1280, height: 720 }, bodypix, 257).input).toEqual({
      width: 257,
      height: 145,
    });
  });

  it('SCHP: fixed 473×473, the image centred in a square region (letterbox)', () => {
    const job = planWholeImage({ width: 600, height: 400 }, schp);
    expect(job.input).toEqual({ width: 473, height: 473 });
    expect(job.region).toEqual({ x: 0, y: -100, width: 600, height: 600 });
  });
});

describe('planPersonCrops', () => {
  const tuning = { cropMaxSide: 385, cropMargin: 0.1, boxSlack: 0.05 };

  it('grows each box by the margin and to the input aspect, and decodes only the box plus slack', () => {
    const [job] = planPersonCrops(
      { width: 1000, height: 800 },
      [{ box: { x1: 100, y1: 100, x2: 200, y2: 400 }, score: 0.9 }],
      bodypix,
      tuning,
    );
    expect(job.input).toEqual({ width: 193, height: 385 }); // 1:2 bucket
    expect(job.region.height).toBeCloseTo(360, 9); // 300 + 2·10 %
    expect(job.region.width / job.region.height).toBeCloseTo(193 / 385, 9);
    expect(job.region.x + job.region.width / 2).toBeCloseTo(150, 9); // centred on the box
    expect(job.rect).toEqual({ x1: 95, y1: 85, x2: 205, y2: 415 });
    expect(job.person?.score).toBe(0.9);
  });

  it('clips the decoded rect to the image (the region itself may leave it)', () => {
    const [job] = planPersonCrops(
      { width: 300, height: 300 },
      [{ box: { x1: 0, y1: 0, x2: 300, y2: 300 }, score: 0.5 }],
      schp,
      tuning,
    );
    expect(job.input).toEqual({ width: 473, height: 473 });
    expect(job.rect).toEqual({ x1: 0, y1: 0, x2: 300, y2: 300 });
    expect(job.region.x).toBeLessThan(0);
  });

  it('sees a lone person larger than a crowd: one crop size per image, from cropSoloSide down to cropMaxSide', () => {
    const person = (x1: number) => ({ box: { x1, y1: 100, x2: x1 + 100, y2: 400 }, score: 0.9 });
    const sized = { ...tuning, cropSoloSide: 641 };
    const sizes = (n: number) =>
      planPersonCrops(
        { width: 2000, height: 800 },
        [100, 300, 500, 700].slice(0, n).map(person),
        bodypix,
        sized,
      ).map((job) => job.input);
    expect(sizes(1)).toEqual([{ width: 321, height: 641 }]);
    expect(sizes(2)).toEqual([
      { width: 225, height: 449 },
      { width: 225, height: 449 },
    ]);
    expect(sizes(4).every((s) => s.height === 385 && s.width === 193)).toBe(true);
  });
});

describe('planClothesJob', () => {
  const job = planPersonCrops(
    { width: 1000, height: 800 },
    [{ box: { x1: 100, y1: 100, x2: 200, y2: 400 }, score: 0.9 }],
    bodypix,
    { cropMaxSide: 385, cropMargin: 0.1, boxSlack: 0.05 },
  )[0];

  it('squash (the default): the crop itself fills the square input, stretched across', () => {
    const clothes = planClothesJob(job, schp);
    expect(clothes.input).toEqual({ width: 473, height: 473 });
    expect(clothes.region).toEqual(job.region);
    expect(clothes.rect).toEqual(job.rect);
  });

  it('pad: the crop grown to a square, so the person keeps their proportions', () => {
    const clothes = planClothesJob(job, schp, 'pad');
    expect(clothes.region.width).toBeCloseTo(clothes.region.height, 9);
    expect(clothes.region.height).toBeCloseTo(job.region.height, 9);
    expect(clothes.region.x + clothes.region.width / 2).toBeCloseTo(job.region.x + job.region.width / 2, 9);
  });
});

describe('selectPersons', () => {
  it('keeps person boxes only, best first, at most max', () => {
    const boxes: ScoredBox[] = [
      { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.5, classId: 0 },
      { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.9, classId: 5 },
      { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.8, classId: 0 },
      { x1: 5, y1: 0, x2: 5, y2: 10, score: 0.95, classId: 0 }, // empty box
      { x1: 0, y1: 0, x2: 20, y2: 20, score: 0.3, classId: 0 },
    ];
    expect(selectPersons(boxes, 0, 2).map((p) => p.score)).toEqual([0.8, 0.5]);
  });
});

describe('decodeParseJob geometry', () => {
  it('maps a left/right split of the network input back onto the same split of the region', () => {
    // Whole 1280×720 image into 513×289: the person logit is +5 on grid columns 0–15 and −5
    // on columns 16–32 (of 33), so the person ends halfway between input pixels 240 and 256
    // (grid 15 and 16), i.e. at image x ≈ 248·1280/513.
    const job = planWholeImage({ width: 1280, height: 720 }, bodypix);
    const gw = 33;
    const gh = 19;
    const person = new Float32Array(gw * gh);
    for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) person[y * gw + x] = x <= 15 ? 5 : -5;
    const parts = new Float32Array(24 * gw * gh); // all zero: part 0 (left_face → Face) wins
    const labels = decodeParseJob(
      { logits: { kind: 'sigmoid-person', person, parts, numParts: 24 }, gridWidth: gw, gridHeight: gh },
      job,
      { classToLabel: Uint8Array.from({ length: 24 }, () => 13) },
      0.5,
    );
    const row = 360 * 1280;
    let edge = 0;
    while (labels[row + edge] === 13) edge++;
    expect(Math.abs(edge - (248 + 0.5) * (1280 / 513))).toBeLessThan(2);
    expect(labels[row + 1279]).toBe(0);
  });
});

describe('splitWholeImage', () => {
  it('makes one person per large region, largest first, and drops specks', () => {
    const W = 20;
    const H = 10;
    const canvas = createPersonCanvas(W, H);
    const labels = new Uint8Array(W * H);
    const prob = new Float32Array(W * H);
    const fill = (x1: number, x2: number, label: number, p: number) => {
      for (let y = 0; y < H; y++) {
        for (let x = x1; x < x2; x++) {
          labels[y * W + x] = label;
          prob[y * W + x] = p;
        }
      }
    };
    fill(0, 4, 5, 0.8); // 40 px
    fill(8, 16, 13, 0.6); // 80 px
    labels[19] = 14; // 1-px speck
    prob[19] = 0.9;
    const persons = splitWholeImage(canvas, labels, prob, 10, 0.05);
    expect(persons.map((p) => p.id)).toEqual([1, 2]);
    expect(persons[0].box).toEqual({ x1: 8, y1: 0, x2: 16, y2: 10 });
    expect(persons[0].score).toBeCloseTo(0.6, 6);
    expect(canvas.owner[8]).toBe(1);
    expect(canvas.owner[0]).toBe(2);
    expect(canvas.labels[19]).toBe(0);
    expect(splitWholeImage(createPersonCanvas(W, H), labels, prob, 1, 0.05)).toHaveLength(1);
  });
});

describe('buildParseResult', () => {
  it('reports people, parts, legend and RLE masks that match the maps', () => {
    const W = 8;
    const H = 6;
    const canvas = createPersonCanvas(W, H);
    // Person 1: Face over UpperClothes on the left; person 2: Left-arm on the right.
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (x < 3) {
          canvas.owner[i] = 1;
          canvas.labels[i] = y < 2 ? 13 : 5;
        }
        if (x >= 6 && y >= 3) {
          canvas.owner[i] = 2;
          canvas.labels[i] = 14;
        }
      }
    }
    const parsed: ParsedImage = {
      image: { data: new Uint8Array(W * H * 3), width: W, height: H },
      canvas,
      persons: [
        { id: 1, box: { x1: 0.123, y1: 0, x2: 3.456, y2: 6 }, score: 0.876543 },
        { id: 2, box: { x1: 6, y1: 3, x2: 8, y2: 6 }, score: 0.5 },
      ],
      mode: 'crops',
      timings: { decodeMs: 1.23, detectMs: 2, inferMs: 3, postMs: 4 },
    };
    const result = buildParseResult(parsed, { parts: { entry: bodypix }, persons: { entry: schp } });
    expect(result.numPersons).toBe(2);
    expect(result.partsDetected).toEqual(['UpperClothes', 'Face', 'Left-arm']);
    expect(result.legend).toEqual([
      { id: 0, label: 'Background', color: '#000000' },
      { id: 5, label: 'UpperClothes', color: '#ff5500' },
      { id: 13, label: 'Face', color: '#0000ff' },
      { id: 14, label: 'Left-arm', color: '#33aadd' },
    ]);
    const [p1, p2] = result.persons;
    expect(p1.box).toEqual({ x1: 0.12, y1: 0, x2: 3.46, y2: 6 });
    expect(p1.score).toBe(0.8765);
    expect(p1.parts).toEqual([
      { label: 'UpperClothes', pixels: 12, box: { x1: 0, y1: 2, x2: 3, y2: 6 } },
      { label: 'Face', pixels: 6, box: { x1: 0, y1: 0, x2: 3, y2: 2 } },
    ]);
    expect(rleArea(p1.mask)).toBe(18);
    expect(p2.parts).toEqual([{ label: 'Left-arm', pixels: 6, box: { x1: 6, y1: 3, x2: 8, y2: 6 } }]);
    const m2 = decodeRle(p2.mask);
    for (let i = 0; i < W * H; i++) expect(m2[i]).toBe(canvas.owner[i] === 2 ? 1 : 0);
    expect(result.mode).toBe('crops');
    expect(result.personModel).toEqual({ id: 'schp', sha256: 'a'.repeat(64) });
    expect(result.model).toEqual({ id: 'bp', sha256: 'a'.repeat(64) });
    expect(result.timings.decodeMs).toBe(1.2);
    for (const l of result.partsDetected) expect(LIP20_LABELS).toContain(l);
  });
});
