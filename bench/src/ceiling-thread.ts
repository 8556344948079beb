/**
 * One loop of the ceiling measurement, on its own thread: the model alone, no HTTP, no
 * Redis, no queue. Detect: decode + preprocess a batch (the next batch decodes while the
 * current one runs), one `run()`, postprocess. Parse: the worker's whole parse pipeline
 * (decode, person detection, crops batched per image, parse, label maps and PNGs).
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DetectOptionsSchema, ParseOptionsSchema } from '@argus/contracts';
import {
  loadDetectModel,
  loadParseModel,
  manifestPathFor,
  parseImage,
  postprocessDetect,
  preprocessDetect,
  readManifest,
  runDetectBatch,
  sessionRun,
  toDetections,
  type DetectModel,
  type ParseModel,
} from '@argus/models';

export interface CeilingThreadInit {
  task: 'detect' | 'parse';
  modelsDir: string;
  detectModel: string;
  parseModel: string;
  intraOpThreads: number;
  batch: number;
  /** Parse: images in flight at once in this loop (decoding overlaps the runs). */
  inFlight: number;
  images: string[];
  warmupMs: number;
  durationMs: number;
}

/** `cpuSeconds`: the whole process's CPU time during this thread's measured window. */
export type CeilingMessage =
  { type: 'ready' } | { type: 'done'; images: number; seconds: number; cpuSeconds: number };

const init = workerData as CeilingThreadInit;
if (!parentPort) throw new Error('ceiling-thread must run as a worker thread');
const port = parentPort;
const LIMITS = { maxPixels: 40_000_000 };

async function main(): Promise<void> {
  const manifest = readManifest(manifestPathFor(init.modelsDir));
  const entry = (id: string) => {
    const e = manifest.models.find((m) => m.id === id);
    if (!e) throw new Error(`model ${id} is not in the manifest`);
    return e;
  };
  const opts = { intraOpThreads: init.intraOpThreads };
  const detector = await loadDetectModel(entry(init.detectModel), init.modelsDir, opts);
  const parser =
    init.task === 'parse' ? await loadParseModel(entry(init.parseModel), init.modelsDir, opts) : undefined;
  const images = init.images.map((file) => fs.readFileSync(file));
  let cursor = 0;
  const next = () => images[cursor++ % images.length];

  await new Promise<void>((resolve) => {
    port.once('message', () => resolve());
    port.postMessage({ type: 'ready' } satisfies CeilingMessage);
  });

  const step = init.task === 'detect' ? detectLoop(detector, next) : parseLoop(detector, parser!, next);
  const warmEnd = performance.now() + init.warmupMs;
  while (performance.now() < warmEnd) await step();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const end = started + init.durationMs;
  let count = 0;
  while (performance.now() < end) count += await step();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  port.postMessage({ type: 'done', images: count, seconds, cpuSeconds } satisfies CeilingMessage);
  await detector.session.release();
  await parser?.session.release();
}

/** One batch per step; the next batch is decoded while this one runs. */
function detectLoop(model: DetectModel, next: () => Buffer): () => Promise<number> {
  const options = DetectOptionsSchema.parse({});
  const prepare = () =>
    Promise.all(Array.from({ length: init.batch }, () => preprocessDetect(next(), model.entry, LIMITS)));
  let ahead = prepare();
  const run = sessionRun(model.session);
  return async () => {
    const prepared = await ahead;
    ahead = prepare();
    const outputs = await runDetectBatch(
      model,
      run,
      prepared.map((p) => p.input),
    );
    prepared.forEach((p, i) =>
      toDetections(postprocessDetect(outputs[i], model, p.letterbox, options), model.labels),
    );
    return prepared.length;
  };
}

/** `inFlight` images through the whole parse pipeline per step. */
function parseLoop(detector: DetectModel, parser: ParseModel, next: () => Buffer): () => Promise<number> {
  const options = ParseOptionsSchema.parse({});
  return async () => {
    await Promise.all(
      Array.from({ length: init.inFlight }, () =>
        parseImage({ parts: parser, persons: detector }, next(), options, LIMITS),
      ),
    );
    return init.inFlight;
  };
}

main().catch((err: Error) => {
  throw err;
});
