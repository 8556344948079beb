import { Tensor } from 'onnxruntime-node';
import type { Box, ParseOptions, ParsePerson, ParseResult } from '@argus/contracts';
import {
  LIP20_LABELS,
  LIP20_PALETTE,
  boxWithMargin,
  composeOverlay,
  connectedComponents,
  createPersonCanvas,
  cropInputSize,
  decodeParseLogits,
  decodeRgb,
  encodeGrayPng,
  encodeIndexedPng,
  encodeRgbPng,
  encodeRle,
  expandToAspect,
  hexColour,
  pasteCropParse,
  removeSpecks,
  regionAxisMap,
  resampleRegion,
  strideAlignedSize,
  summarizePersons,
  toChwTensor,
  type BoxCorners,
  type DecodeLimits,
  type Normalisation,
  type ParseLogits,
  type PersonCanvas,
  type PixelBounds,
  type Region,
  type RgbImage,
  type ScoredBox,
  type Size,
} from '@argus/vision';
import {
  directDetectRunner,
  postprocessDetect,
  preprocessDetect,
  stackInputs,
  type BatchStats,
  type DetectModel,
  type DetectModelInfo,
  type DetectRunner,
  type NetworkRun,
} from './detect.pipeline';
import type { ModelEntry } from './manifest.schema';
import type { ParseModel } from './parse.model';

/**
 * Multi-person human parsing: pre → run → post around the parse network, with an optional
 * person detector in front.
 *
 * `crops` mode: detect people → grow each box by a margin and to the input's aspect ratio →
 * resample every crop to the parse model's input size (one batched run per input size) →
 * upsample each crop's logits back onto the image inside its person's box → give each pixel
 * to one person (`pasteCropParse`). `whole` mode: one run on the whole image, people are the
 * connected person regions. Everything but the session runs is a pure function of the
 * decoded pixels and the network outputs.
 */

/** What `parseImage` needs: the parse network and, for `crops` mode, a person detector. */
export interface ParseModels {
  parts: ParseModel;
  persons?: DetectModel;
}

/** What pre- and postprocessing need of the models (no sessions): the runners reach those. */
export interface ParseModelInfos {
  parts: ParseModelInfo;
  persons?: DetectModelInfo;
}

export type ParseModelInfo = Omit<ParseModel, 'session'>;

/** Internal knobs with fixed defaults (the evaluation script varies them; the API does not). */
export interface ParseTuning {
  /** Long side of the whole-image input for `stride` models. Default: the manifest's width (513). */
  wholeMaxSide: number;
  /** Long side of a person crop's input for `stride` models. Default 385. */
  cropMaxSide: number;
  /** Context added around a person box on each side, as a fraction of its size. Default 0.15. */
  cropMargin: number;
  /** How far outside its box (fraction of the box size) a crop may still claim pixels. Default 0.04. */
  boxSlack: number;
  /** `whole` mode: smallest person region kept, as a fraction of the image. Default 0.001. */
  minRegionFraction: number;
  /** NMS IoU among person boxes. Default 0.5. */
  personIou: number;
  /** `crops` mode: a person's pieces smaller than this fraction of their largest piece are dropped. Default 0.02. */
  minPieceFraction: number;
}

export const DEFAULT_PARSE_TUNING: Omit<ParseTuning, 'wholeMaxSide'> = {
  cropMaxSide: 385,
  cropMargin: 0.15,
  boxSlack: 0.04,
  minRegionFraction: 0.001,
  personIou: 0.5,
  minPieceFraction: 0.02,
};

export type ParseRunOptions = Pick<ParseOptions, 'threshold' | 'mode' | 'personConfidence' | 'maxPersons'> &
  Partial<ParseTuning>;

/** One network input: a region of the image, the input size it is resampled to, the pixels it decodes. */
export interface ParseJob {
  region: Region;
  input: Size;
  /** Image pixels this job's labels cover (inside the image). */
  rect: PixelBounds;
  /** `crops` mode: the person this crop is for. */
  person?: { box: BoxCorners; score: number };
}

// ---------------------------------------------------------------------------------------------
// Pre

export function normalisationFor(entry: ModelEntry): Normalisation {
  const p = entry.preprocess;
  return { scale: p.scale, offset: p.offset, mean: p.mean, std: p.std, channelOrder: p.channelOrder };
}

/** The job for parsing the whole image in one run. */
export function planWholeImage(image: Size, entry: ModelEntry, maxSide = entry.preprocess.width): ParseJob {
  const p = entry.preprocess;
  const input =
    p.resize === 'stride'
      ? strideAlignedSize(image.width, image.height, maxSide, p.stride ?? 16)
      : { width: p.width, height: p.height };
  const region = expandToAspect(
    { x: 0, y: 0, width: image.width, height: image.height },
    input.width / input.height,
  );
  return { region, input, rect: { x1: 0, y1: 0, x2: image.width, y2: image.height } };
}

/**
 * One job per person box: the box grown by `margin`, then to the input's aspect ratio; the
 * pixels decoded are the box grown by `slack`, clipped to the image.
 */
export function planPersonCrops(
  image: Size,
  persons: readonly { box: BoxCorners; score: number }[],
  entry: ModelEntry,
  tuning: Pick<ParseTuning, 'cropMaxSide' | 'cropMargin' | 'boxSlack'>,
): ParseJob[] {
  const p = entry.preprocess;
  return persons.map((person) => {
    const grown = boxWithMargin(person.box, tuning.cropMargin);
    const input =
      p.resize === 'stride'
        ? cropInputSize(grown, tuning.cropMaxSide, p.stride ?? 16)
        : { width: p.width, height: p.height };
    const region = expandToAspect(grown, input.width / input.height);
    const { x1, y1, x2, y2 } = person.box;
    const sx = tuning.boxSlack * (x2 - x1);
    const sy = tuning.boxSlack * (y2 - y1);
    const rect = {
      x1: clamp(Math.floor(x1 - sx), 0, image.width),
      y1: clamp(Math.floor(y1 - sy), 0, image.height),
      x2: clamp(Math.ceil(x2 + sx), 0, image.width),
      y2: clamp(Math.ceil(y2 + sy), 0, image.height),
    };
    return { region, input, rect, person };
  });
}

/** Resamples a job's region and normalises it into `out` (CHW) at `offset`. */
export function prepareParseInput(
  image: RgbImage,
  job: ParseJob,
  entry: ModelEntry,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  const pad = entry.preprocess.pad;
  const rgb = resampleRegion(image, job.region, job.input.width, job.input.height, [pad, pad, pad]);
  return toChwTensor(rgb, job.input.width, job.input.height, normalisationFor(entry), out, offset);
}

// ---------------------------------------------------------------------------------------------
// Run

export interface ParseNetOutput {
  logits: ParseLogits;
  gridWidth: number;
  gridHeight: number;
}

/** The outputs a parse model's run must fetch. */
export function parseOutputNames(entry: ModelEntry): string[] {
  return entry.format === 'bodypix' ? [entry.outputs.segments, entry.outputs.parts] : [entry.outputs.logits];
}

/** A run's output as plain data (onnxruntime tensors and thread messages both fit). */
export interface OutputData {
  data: unknown;
  dims: readonly number[];
}

/**
 * Splits the outputs of one run over `n` inputs into each input's logits (views, no copy),
 * checking that the shapes and label counts fit the model.
 */
export function splitParseOutputs(
  model: Pick<ParseModel, 'entry' | 'classToLabel'>,
  outputs: Readonly<Record<string, OutputData | undefined>>,
  n: number,
): ParseNetOutput[] {
  const { entry } = model;
  const tensor = (name: string) => {
    const t = outputs[name];
    if (!t) throw new Error(`model "${entry.id}" returned no output "${name}"`);
    if (t.dims.length !== 4 || t.dims[0] !== n) {
      throw new Error(`model "${entry.id}" output "${name}" has shape [${t.dims.join(',')}], expected NCHW`);
    }
    return { data: t.data as Float32Array, channels: t.dims[1], gridHeight: t.dims[2], gridWidth: t.dims[3] };
  };
  if (entry.format === 'bodypix') {
    const seg = tensor(entry.outputs.segments);
    const parts = tensor(entry.outputs.parts);
    if (parts.channels !== model.classToLabel.length) {
      throw new Error(
        `model "${entry.id}" gives ${parts.channels} part channels, its labels list ${model.classToLabel.length}`,
      );
    }
    const gp = seg.gridWidth * seg.gridHeight;
    return Array.from({ length: n }, (_, i) => ({
      logits: {
        kind: 'sigmoid-person' as const,
        person: seg.data.subarray(i * gp, (i + 1) * gp),
        parts: parts.data.subarray(i * gp * parts.channels, (i + 1) * gp * parts.channels),
        numParts: parts.channels,
      },
      gridWidth: seg.gridWidth,
      gridHeight: seg.gridHeight,
    }));
  }
  const out = tensor(entry.outputs.logits);
  if (out.channels !== model.classToLabel.length) {
    throw new Error(
      `model "${entry.id}" gives ${out.channels} classes, its labels list ${model.classToLabel.length}`,
    );
  }
  const per = out.channels * out.gridWidth * out.gridHeight;
  return Array.from({ length: n }, (_, i) => ({
    logits: {
      kind: 'softmax-background' as const,
      logits: out.data.subarray(i * per, (i + 1) * per),
      numClasses: out.channels,
    },
    gridWidth: out.gridWidth,
    gridHeight: out.gridHeight,
  }));
}

/**
 * Runs inputs that share one input size and returns each image's logits. Models with a
 * dynamic batch take them in one run; the others run one at a time.
 */
export async function runParseBatch(
  model: ParseModel,
  inputs: readonly Float32Array[],
  size: Size,
): Promise<ParseNetOutput[]> {
  const { entry, session } = model;
  if (!entry.batch.dynamic && inputs.length > 1) {
    const outs: ParseNetOutput[] = [];
    for (const input of inputs) outs.push(...(await runParseBatch(model, [input], size)));
    return outs;
  }
  const stacked = stackInputs(inputs, 3 * size.width * size.height);
  const feeds = {
    [entry.input.name]: new Tensor('float32', stacked, [inputs.length, 3, size.height, size.width]),
  };
  const result = await session.run(feeds, parseOutputNames(entry));
  return splitParseOutputs(model, result, inputs.length);
}

/** How a parse reaches its networks (see `DetectRunner`). */
export interface ParseRunners {
  /** The person detector (`crops` mode). */
  detect?: DetectRunner;
  /** The parse network: every input of one image (any input sizes) → its output, in order. */
  parts(inputs: readonly { input: Float32Array; size: Size }[]): Promise<NetworkRun<ParseNetOutput>[]>;
}

/** Runners on the models' own sessions: one run per input size of the image, one after another. */
export function directParseRunners(models: ParseModels): ParseRunners {
  return {
    detect: models.persons ? directDetectRunner(models.persons) : undefined,
    async parts(items) {
      const runs = new Array<NetworkRun<ParseNetOutput>>(items.length);
      let id = 0;
      for (const members of groupBySize(items.map((item) => item.size)).values()) {
        const started = performance.now();
        const outputs = await runParseBatch(
          models.parts,
          members.map((i) => items[i].input),
          items[members[0]].size,
        );
        const batch: BatchStats = {
          id: id++,
          size: members.length,
          waitMs: 0,
          runMs: performance.now() - started,
        };
        members.forEach((i, k) => (runs[i] = { output: outputs[k], batch }));
      }
      return runs;
    },
  };
}

/** Indices of `sizes` grouped by equal size, in first-seen order. */
function groupBySize(sizes: readonly Size[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  sizes.forEach((size, i) => {
    const key = `${size.width}x${size.height}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Post

/** Decodes one job's logits into LIP labels over its `rect` (0 = not a person). */
export function decodeParseJob(
  output: ParseNetOutput,
  job: ParseJob,
  model: Pick<ParseModel, 'classToLabel'>,
  threshold: number,
  personProb?: Float32Array,
): Uint8Array {
  const mapX = regionAxisMap(job.region.x, job.region.width, job.input.width, output.gridWidth);
  const mapY = regionAxisMap(job.region.y, job.region.height, job.input.height, output.gridHeight);
  return decodeParseLogits(output.logits, output.gridWidth, output.gridHeight, job.rect, mapX, mapY, {
    threshold,
    classToLabel: model.classToLabel,
    personProb,
  });
}

/** A person as the pipeline found them, before the JSON result is built. */
export interface ParsedPerson {
  /** Owner value in `canvas.owner`. */
  id: number;
  box: BoxCorners;
  score: number;
}

export interface ParsedImage {
  image: RgbImage;
  /** LIP labels and person owners at original resolution. */
  canvas: PersonCanvas;
  persons: ParsedPerson[];
  mode: 'crops' | 'whole';
  /** The batching fields are optional so a ParsedImage can be built by hand (tests). */
  timings: Pick<ParseTimings, 'decodeMs' | 'detectMs' | 'inferMs' | 'postMs'> & Partial<ParseTimings>;
}

/**
 * Where a parse's time went, in ms. `decodeMs`: decoding the upload (and the detector's
 * letterboxed copy); `preMs`: cutting and normalising the parser's inputs; `detectMs`: the
 * detector run and its boxes; `inferMs`: the parser runs (each counted once, however many
 * of the image's crops it held); `batchWaitMs`: time the image's inputs waited for their
 * runs to start (detector plus the longest crop wait); `batchSize`: inputs in the largest
 * parser run that held one of the image's crops (0 when the parser did not run);
 * `detectBatchSize`: images in the detector run (0 in `whole` mode).
 */
export interface ParseTimings {
  decodeMs: number;
  preMs: number;
  detectMs: number;
  inferMs: number;
  postMs: number;
  batchWaitMs: number;
  batchSize: number;
  detectBatchSize: number;
}

/** A parse result with every timing (`ParseResult` names the four it always had). */
export type TimedParseResult = ParseResult & { timings: ParseTimings };

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
    wholeMaxSide: entry.preprocess.width,
    ...definedOnly(opts),
  };
  const detector = opts.mode === 'crops' && runners.detect ? models.persons : undefined;
  const mode = detector ? 'crops' : 'whole';
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

  // Run: the runner batches inputs of one size (direct: this image's; batcher: any job's).
  t = performance.now();
  const inputs = jobs.map((job) => ({ input: prepareParseInput(image, job, entry), size: job.input }));
  timings.preMs += performance.now() - t;
  const runs = inputs.length ? await runners.parts(inputs) : [];
  const outputs = runs.map((r) => r.output);
  const counted = new Set<number>();
  for (const { batch } of runs) {
    if (batch.id === undefined || !counted.has(batch.id)) timings.inferMs += batch.runMs;
    if (batch.id !== undefined) counted.add(batch.id);
    timings.batchSize = Math.max(timings.batchSize, batch.size);
  }
  timings.batchWaitMs += Math.max(0, ...runs.map((r) => r.batch.waitMs));

  t = performance.now();
  const canvas = createPersonCanvas(image.width, image.height);
  let persons: ParsedPerson[];
  if (mode === 'crops') {
    jobs.forEach((job, i) => {
      const labels = decodeParseJob(outputs[i], job, models.parts, opts.threshold);
      pasteCropParse(canvas, { personId: i + 1, box: job.person!.box, rect: job.rect, labels });
    });
    removeSpecks(canvas, tuning.minPieceFraction);
    persons = jobs.map((job, i) => ({ id: i + 1, box: job.person!.box, score: job.person!.score }));
  } else {
    const prob = new Float32Array(image.width * image.height);
    const labels = decodeParseJob(outputs[0], jobs[0], models.parts, opts.threshold, prob);
    persons = splitWholeImage(canvas, labels, prob, opts.maxPersons, tuning.minRegionFraction);
  }
  persons = dropEmptyPersons(canvas, persons);
  timings.postMs += performance.now() - t;
  return { image, canvas, persons, mode, timings };
}

/** Person boxes of the detector's output, best first, at most `max`. */
export function selectPersons(
  boxes: readonly ScoredBox[],
  personClass: number,
  max: number,
): { box: BoxCorners; score: number }[] {
  return boxes
    .filter((b) => b.classId === personClass && b.x2 > b.x1 && b.y2 > b.y1)
    .sort((a, b) => b.score - a.score)
    .slice(0, max)
    .map((b) => ({ box: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 }, score: b.score }));
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

// ---------------------------------------------------------------------------------------------
// Result and artifacts

export interface ParseArtifacts {
  /** The photo with part colours blended in at `alpha`, original size. */
  overlayPng: Buffer;
  /** 8-bit palette PNG, original size: pixel value = LIP id (0 = background). */
  labelsPng: Buffer;
  /** One 8-bit PNG per person (255 = the person's pixels), in `persons` order. */
  personMaskPngs: Buffer[];
}

export interface ParseOutput {
  result: TimedParseResult;
  artifacts: ParseArtifacts;
}

/** The JSON result (small: masks as RLE, no pixel arrays) for a parsed image. */
export function buildParseResult(
  parsed: ParsedImage,
  models: { parts: Pick<ParseModel, 'entry'>; persons?: Pick<DetectModel, 'entry'> },
): TimedParseResult {
  const { canvas, image } = parsed;
  const summaries = summarizePersons(
    canvas.labels,
    canvas.owner,
    image.width,
    image.height,
    parsed.persons.length,
    LIP20_LABELS.length,
  );
  const present = new Set<number>();
  const persons: ParsePerson[] = parsed.persons.map((p, i) => {
    const s = summaries[i];
    const parts = s.partPixels
      .map((pixels, id) => ({ id, pixels }))
      .filter((x) => x.id !== 0 && x.pixels > 0)
      .map(({ id, pixels }) => {
        present.add(id);
        return { label: LIP20_LABELS[id], pixels, box: toBox(s.partBounds[id]!) };
      });
    return {
      id: p.id,
      box: roundBox(p.box),
      score: Math.round(p.score * 10_000) / 10_000,
      parts,
      mask: encodeRle(canvas.owner, image.width, image.height, {
        value: p.id,
        bounds: s.bounds ?? undefined,
      }),
    };
  });
  const ids = [...present].sort((a, b) => a - b);
  return {
    persons,
    numPersons: persons.length,
    partsDetected: ids.map((id) => LIP20_LABELS[id]),
    legend: [0, ...ids].map((id) => ({ id, label: LIP20_LABELS[id], color: hexColour(LIP20_PALETTE[id]) })),
    image: { width: image.width, height: image.height },
    model: { id: models.parts.entry.id, sha256: models.parts.entry.sha256 },
    mode: parsed.mode,
    ...(parsed.mode === 'crops' && models.persons
      ? { personModel: { id: models.persons.entry.id, sha256: models.persons.entry.sha256 } }
      : {}),
    timings: {
      decodeMs: round1(parsed.timings.decodeMs),
      preMs: round1(parsed.timings.preMs ?? 0),
      detectMs: round1(parsed.timings.detectMs),
      inferMs: round1(parsed.timings.inferMs),
      postMs: round1(parsed.timings.postMs),
      batchWaitMs: round1(parsed.timings.batchWaitMs ?? 0),
      batchSize: parsed.timings.batchSize ?? 0,
      detectBatchSize: parsed.timings.detectBatchSize ?? 0,
    },
  };
}

/** Overlay, label PNG and one mask PNG per person. */
export async function renderParseArtifacts(parsed: ParsedImage, alpha: number): Promise<ParseArtifacts> {
  const { canvas, image } = parsed;
  const overlay = composeOverlay(image.data, image.width, image.height, canvas.labels, LIP20_PALETTE, {
    alpha,
    owner: canvas.owner,
  });
  const overlayPng = encodeRgbPng({ data: overlay, width: image.width, height: image.height });
  const labelsPng = encodeIndexedPng(canvas.labels, image.width, image.height, LIP20_PALETTE);
  const personMaskPngs = parsed.persons.map((p) => {
    const mask = new Uint8Array(image.width * image.height);
    for (let i = 0; i < mask.length; i++) if (canvas.owner[i] === p.id) mask[i] = 255;
    return encodeGrayPng(mask, image.width, image.height);
  });
  return { overlayPng: await overlayPng, labelsPng, personMaskPngs };
}

/**
 * The whole pipeline for one image, as the worker runs it: `{ result, artifacts }` where
 * `result` is the JSON answer and `artifacts` the PNGs.
 */
export async function parseImage(
  models: ParseModels,
  bytes: Buffer,
  opts: ParseRunOptions & Pick<ParseOptions, 'alpha'>,
  limits: DecodeLimits,
): Promise<ParseOutput> {
  return parseImageWith(models, directParseRunners(models), bytes, opts, limits);
}

/** `parseImage` with the networks reached through `runners` (the worker's batchers). */
export async function parseImageWith(
  models: ParseModelInfos,
  runners: ParseRunners,
  bytes: Buffer,
  opts: ParseRunOptions & Pick<ParseOptions, 'alpha'>,
  limits: DecodeLimits,
): Promise<ParseOutput> {
  const parsed = await runParseWith(models, runners, bytes, opts, limits);
  const t = performance.now();
  const artifacts = await renderParseArtifacts(parsed, opts.alpha);
  const result = buildParseResult(parsed, models);
  result.timings.postMs = round1(parsed.timings.postMs + performance.now() - t);
  return { result, artifacts };
}

function toBox(b: PixelBounds): Box {
  return { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
}

function roundBox(b: BoxCorners): Box {
  const r = (v: number) => Math.round(v * 100) / 100;
  return { x1: r(b.x1), y1: r(b.y1), x2: r(b.x2), y2: r(b.y2) };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Tuning fields of `opts` that are set (so `undefined` never overrides a default). */
function definedOnly(opts: Partial<ParseTuning>): Partial<ParseTuning> {
  const out: Partial<ParseTuning> = {};
  const keys = [
    'wholeMaxSide',
    'cropMaxSide',
    'cropMargin',
    'boxSlack',
    'minRegionFraction',
    'personIou',
    'minPieceFraction',
  ] as const;
  for (const key of keys) {
    if (opts[key] !== undefined) out[key] = opts[key];
  }
  return out;
}
