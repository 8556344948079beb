import type { ParseOptions } from '@argus/contracts';
import {
  DEFAULT_FUSION_RULES,
  connectedComponents,
  createPersonCanvas,
  decodeRgb,
  pasteCropParse,
  removeSpecks,
  type DecodeLimits,
  type PersonCanvas,
} from '@argus/vision';
import { postprocessDetect, preprocessDetect } from '../detect.pipeline';
import {
  planClothesJob,
  planPersonCrops,
  planWholeImage,
  prepareParseInput,
  selectPersons,
} from './crops.prepare';
import { directParseRunners } from './networks.run';
import { decodeClothesJob, decodeJobPose, decodeParseJob, fuseParseJob } from './labels.fuse';
import { buildParseResult, round1 } from './result.assemble';
import { renderParseArtifacts } from './artifacts.render';
import type {
  ParseJob,
  ParseModelInfos,
  ParseModels,
  ParseOutput,
  ParseRunOptions,
  ParseRunners,
  ParseTimings,
  ParseTuning,
  ParsedImage,
  ParsedPerson,
} from './parse.types';

/**
 * Multi-person human parsing, stage by stage. `crops` mode: detect people → grow each box by
 * a margin and to the input's aspect ratio → resample every crop to the parse model's input
 * size → run → decode each crop's labels (fused models: BodyPix parts + the segmenter's
 * skin / clothes / hair) inside its person's box → give each pixel to one person
 * (`pasteCropParse`). `whole` mode: one run on the whole image, people are the connected
 * person regions. Everything but the network runs is a pure function of pixels and outputs.
 */

export const DEFAULT_PARSE_TUNING: Omit<ParseTuning, 'wholeMaxSide'> = {
  cropMaxSide: 385,
  cropSoloSide: 545,
  cropMargin: 0.15,
  boxSlack: 0.04,
  minRegionFraction: 0.001,
  personIou: 0.5,
  minPieceFraction: 0.02,
  clothesScope: 'auto',
  clothesCrops: 4,
  clothesThreshold: 0.5,
  clothesFit: 'squash',
  fusion: DEFAULT_FUSION_RULES,
};

/**
 * Everything up to the label and owner maps: decode, (detect), crops, runs, decode of the
 * logits and assignment of pixels to people. The evaluation script scores exactly this.
 */
export async function runParse(
  models: ParseModels,
  bytes: Buffer,
  opts: ParseRunOptions,
  limits: DecodeLimits,
): Promise<ParsedImage> {
  return runParseWith(models, directParseRunners(models), bytes, opts, limits);
}

/** `runParse` with the networks reached through `runners` (the worker's batchers). */
export async function runParseWith(
  models: ParseModelInfos,
  runners: ParseRunners,
  bytes: Buffer,
  opts: ParseRunOptions,
  limits: DecodeLimits,
): Promise<ParsedImage> {
  const entry = models.parts.entry;
  const tuning: ParseTuning = {
    ...DEFAULT_PARSE_TUNING,
    // The larger lone-person crop was tuned for the fused model, whose segmenter redraws the
    // garments; BodyPix alone keeps its 385 crop (at 433, zidane.jpg's face labels spread
    // over the torsos: test/parse.bodypix.test.ts).
    ...(models.clothes ? {} : { cropSoloSide: 0 }),
    wholeMaxSide: entry.preprocess.width,
    ...definedOnly(opts),
  };
  const detector = opts.mode === 'crops' && runners.detect ? models.persons : undefined;
  const mode = detector ? 'crops' : 'whole';
  const clothesEntry = models.clothes?.entry;
  if (clothesEntry && !runners.clothes) throw new Error(`model "${clothesEntry.id}" has no segmenter runner`);
  const timings: ParseTimings = {
    decodeMs: 0,
    preMs: 0,
    detectMs: 0,
    inferMs: 0,
    postMs: 0,
    batchWaitMs: 0,
    batchSize: 0,
    detectBatchSize: 0,
  };

  let t = performance.now();
  const [image, detectInput] = await Promise.all([
    decodeRgb(bytes, limits),
    detector ? preprocessDetect(bytes, detector.entry, limits) : undefined,
  ]);
  timings.decodeMs += performance.now() - t;

  let jobs: ParseJob[];
  if (detector && detectInput && runners.detect) {
    const { output, batch } = await runners.detect(detectInput.input);
    t = performance.now();
    const personClass = detector.labels.indexOf('person');
    if (personClass < 0) throw new Error(`detector "${detector.entry.id}" has no "person" class`);
    const boxes = postprocessDetect(output, detector, detectInput.letterbox, {
      confidence: opts.personConfidence,
      iou: tuning.personIou,
      maxDetections: 300,
    });
    const people = selectPersons(boxes, personClass, opts.maxPersons);
    timings.detectMs += batch.runMs + performance.now() - t;
    timings.batchWaitMs += batch.waitMs;
    timings.detectBatchSize = batch.size;
    jobs = planPersonCrops(image, people, entry, tuning);
  } else {
    jobs = [planWholeImage(image, entry, tuning.wholeMaxSide)];
  }

  // Segmenter jobs: one per crop, or one on the whole image shared by every person.
  const clothesJobs =
    clothesEntry && jobs.length
      ? mode === 'crops' &&
        (tuning.clothesScope === 'crop' ||
          (tuning.clothesScope === 'auto' && jobs.length <= tuning.clothesCrops))
        ? jobs.map((job) => planClothesJob(job, clothesEntry, tuning.clothesFit))
        : [planClothesJob(planWholeImage(image, clothesEntry), clothesEntry)]
      : [];

  // Run: the runner batches inputs of one size (direct: this image's; batcher: any job's).
  t = performance.now();
  const inputs = jobs.map((job) => ({ input: prepareParseInput(image, job, entry), size: job.input }));
  const clothesInputs = clothesJobs.map((job) => prepareParseInput(image, job, clothesEntry!));
  timings.preMs += performance.now() - t;
  const [runs, clothesRuns] = await Promise.all([
    inputs.length ? runners.parts(inputs) : [],
    clothesInputs.length && runners.clothes ? runners.clothes(clothesInputs) : [],
  ]);
  const counted = new Set<number>();
  for (const { batch } of [...runs, ...clothesRuns]) {
    if (batch.id === undefined || !counted.has(batch.id)) timings.inferMs += batch.runMs;
    if (batch.id !== undefined) counted.add(batch.id);
  }
  for (const { batch } of runs) timings.batchSize = Math.max(timings.batchSize, batch.size);
  timings.batchWaitMs += Math.max(0, ...[...runs, ...clothesRuns].map((r) => r.batch.waitMs));
  const outputs = runs.map((r) => r.output);
  const clothesOut = clothesRuns.map((r) => r.output);

  t = performance.now();
  const stride = entry.preprocess.stride ?? 16;
  const canvas = createPersonCanvas(image.width, image.height);
  // One segmenter run shared by a crowd sees each person at a fraction of the resolution: its
  // "nothing" at a person's edge and its hair colours are too coarse for the none gate and the
  // hair growth (cihp_val5: shoes 0.21 → 0 with them, docs/parse.md).
  const sharedRules = { ...tuning.fusion, noneGate: 0, hairColour: 0 };
  const decode = (i: number, prob?: Float32Array): Uint8Array => {
    const job = jobs[i];
    if (!clothesEntry) return decodeParseJob(outputs[i], job, models.parts, opts.threshold, prob);
    const perCrop = clothesJobs.length === jobs.length;
    const k = perCrop ? i : 0;
    const sch = (mask: Uint8Array) =>
      decodeClothesJob(clothesOut[k], clothesJobs[k], job.rect, tuning.clothesThreshold, mask);
    return fuseParseJob(
      image,
      outputs[i],
      job,
      opts.threshold,
      sch,
      perCrop ? tuning.fusion : sharedRules,
      prob,
    );
  };
  let persons: ParsedPerson[];
  if (mode === 'crops') {
    jobs.forEach((job, i) => {
      pasteCropParse(canvas, { personId: i + 1, box: job.person!.box, rect: job.rect, labels: decode(i) });
    });
    removeSpecks(canvas, tuning.minPieceFraction);
    persons = jobs.map((job, i) => ({
      id: i + 1,
      box: job.person!.box,
      score: job.person!.score,
      keypoints: decodeJobPose(outputs[i], job, job.rect, stride, owns(canvas, i + 1)),
    }));
  } else {
    const prob = new Float32Array(image.width * image.height);
    const labels = decode(0, prob);
    persons = splitWholeImage(canvas, labels, prob, opts.maxPersons, tuning.minRegionFraction).map((p) => {
      const within = { x1: p.box.x1, y1: p.box.y1, x2: p.box.x2, y2: p.box.y2 };
      return { ...p, keypoints: decodeJobPose(outputs[0], jobs[0], within, stride, owns(canvas, p.id)) };
    });
  }
  persons = dropEmptyPersons(canvas, persons);
  timings.postMs += performance.now() - t;
  return { image, canvas, persons, mode, timings };
}

/** Whether pixel (x, y) belongs to person `id` on the canvas. */
function owns(canvas: PersonCanvas, id: number): (x: number, y: number) => boolean {
  return (x, y) =>
    x >= 0 && y >= 0 && x < canvas.width && y < canvas.height && canvas.owner[y * canvas.width + x] === id;
}

/**
 * `whole` mode: people are the 8-connected person regions of at least `minFraction` of the
 * image (smaller specks are dropped from the label map), largest first. Touching people
 * merge into one region: without boxes there is nothing to tell them apart.
 */
export function splitWholeImage(
  canvas: PersonCanvas,
  labels: Uint8Array,
  prob: Float32Array,
  maxPersons: number,
  minFraction: number,
): ParsedPerson[] {
  const { width, height } = canvas;
  const comps = connectedComponents(labels, width, height);
  const minArea = Math.max(16, minFraction * width * height);
  const kept = comps.areas
    .map((area, k) => ({ k: k + 1, area }))
    .filter((c) => c.area >= minArea)
    .sort((a, b) => b.area - a.area)
    .slice(0, maxPersons);
  const idOf = new Int32Array(comps.count + 1);
  kept.forEach((c, i) => (idOf[c.k] = i + 1));
  const probSum = new Float64Array(kept.length + 1);
  for (let i = 0; i < labels.length; i++) {
    const id = idOf[comps.ids[i]];
    if (id === 0) continue;
    canvas.labels[i] = labels[i];
    canvas.owner[i] = id;
    probSum[id] += prob[i];
  }
  return kept.map((c, i) => {
    const b = comps.bounds[c.k - 1];
    return { id: i + 1, box: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 }, score: probSum[i + 1] / c.area };
  });
}

/** Drops people who ended up owning no pixel and renumbers the rest 1…n in order. */
function dropEmptyPersons(canvas: PersonCanvas, persons: ParsedPerson[]): ParsedPerson[] {
  const count = new Int32Array(persons.length + 2);
  for (let i = 0; i < canvas.owner.length; i++) count[canvas.owner[i]]++;
  const remap = new Uint16Array(persons.length + 1);
  const kept: ParsedPerson[] = [];
  for (const p of persons) {
    if (count[p.id] === 0) continue;
    remap[p.id] = kept.length + 1;
    kept.push({ ...p, id: kept.length + 1 });
  }
  // Callers number people 1…n in order, so only a drop changes ids.
  if (kept.length !== persons.length) {
    for (let i = 0; i < canvas.owner.length; i++) canvas.owner[i] = remap[canvas.owner[i]];
  }
  return kept;
}

/**
 * The whole pipeline for one image, as the worker runs it: `{ result, artifacts }` where
 * `result` is the JSON answer and `artifacts` the PNGs.
 */
export async function parseImage(
  models: ParseModels,
  bytes: Buffer,
  opts: ParseRunOptions & Pick<ParseOptions, 'alpha'> & Partial<Pick<ParseOptions, 'pose'>>,
  limits: DecodeLimits,
): Promise<ParseOutput> {
  return parseImageWith(models, directParseRunners(models), bytes, opts, limits);
}

/** `parseImage` with the networks reached through `runners` (the worker's batchers). */
export async function parseImageWith(
  models: ParseModelInfos,
  runners: ParseRunners,
  bytes: Buffer,
  opts: ParseRunOptions & Pick<ParseOptions, 'alpha'> & Partial<Pick<ParseOptions, 'pose'>>,
  limits: DecodeLimits,
): Promise<ParseOutput> {
  const parsed = await runParseWith(models, runners, bytes, opts, limits);
  const t = performance.now();
  const artifacts = await renderParseArtifacts(parsed, opts.alpha, opts.pose ?? false);
  const result = buildParseResult(parsed, models);
  result.timings.postMs = round1(parsed.timings.postMs + performance.now() - t);
  return { result, artifacts };
}

/** Tuning fields of `opts` that are set (so `undefined` never overrides a default). */
function definedOnly(opts: Partial<ParseTuning>): Partial<ParseTuning> {
  const out: Record<string, unknown> = {};
  const keys: (keyof ParseTuning)[] = [
    'wholeMaxSide',
    'cropMaxSide',
    'cropSoloSide',
    'cropMargin',
    'boxSlack',
    'minRegionFraction',
    'personIou',
    'minPieceFraction',
    'clothesScope',
    'clothesCrops',
    'clothesThreshold',
    'clothesFit',
    'fusion',
  ];
  for (const key of keys) if (opts[key] !== undefined) out[key] = opts[key];
  return out;
}
