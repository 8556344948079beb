/**
 * An inference thread. onnxruntime-node's `run()` blocks the thread that calls it, so no
 * model runs on the worker's main thread, which stays free to renew BullMQ locks, send
 * heartbeats and take new jobs. Each inference thread holds one session of each of its
 * models and takes whole jobs: decode and preprocess (sharp works on libuv's pool, so a
 * decode overlaps the thread's current run), the model's dynamic batcher, the run, and
 * postprocessing of each job's own slice of the batch output. Several threads per lane
 * are a model's instances (`inference-pool.ts`).
 */
import { AppError } from '@argus/contracts';
import {
  capRenderedPng,
  decodeRgb,
  ImageError,
  renderDetectionOverlay,
  renderSegmentOverlay,
  renderSize,
} from '@argus/vision';
import {
  detectImageWith,
  labelMapFor,
  loadDetectModel,
  loadParseModel,
  loadSegmentModel,
  parseImageWith,
  readLabels,
  readManifest,
  segmentImageWith,
  sessionRun,
  verifyModelFile,
  type DetectModelInfo,
  type DetectRunner,
  type ParseModelInfo,
  type ParseRunners,
  type SegmentModelInfo,
  type SegmentRunner,
  type SessionRun,
} from '@argus/models';
import {
  batchedClothesSegmenter,
  batchedDetector,
  batchedParser,
  batchedSegmenter,
  type BatchedModel,
} from './batched-runners';
import { serveRpc, type ParentCall, type RpcService, type ThreadLog, type WireError } from './thread-rpc';
import type {
  Artifacts,
  DetectorAnswer,
  DetectorCall,
  InferenceOutput,
  InferenceRequest,
  InferenceThreadInit,
  ThreadAnswer,
  ThreadReady,
  ThreadRequest,
} from './inference-protocol';

interface Served {
  detect: Map<string, { info: DetectModelInfo } & BatchedModel<DetectRunner>>;
  parse: Map<string, { info: ParseModelInfo } & BatchedModel<ParseRunners['parts']>>;
  segment: Map<string, { info: SegmentModelInfo } & BatchedModel<SegmentRunner>>;
  /** Fused parse models: the segmenter's runner and the id of the BodyPix model it fuses with. */
  fused: Map<
    string,
    { info: ParseModelInfo; partsId: string } & BatchedModel<NonNullable<ParseRunners['clothes']>>
  >;
  /** Finds people for parse's crop mode: the default detector when it is loaded. */
  personDetector?: { info: DetectModelInfo; runner: DetectRunner };
}

/**
 * Loads (and verifies) one session of each model; a model that fails stops the thread with
 * why. Models in `init.onDemand` are verified (sha256, labels) now and get their session on
 * their first run, so a worker that can serve every model only holds the ones in use.
 */
async function load(init: InferenceThreadInit): Promise<Served> {
  const manifest = readManifest(init.manifestPath);
  const served: Served = { detect: new Map(), parse: new Map(), segment: new Map(), fused: new Map() };
  for (const id of init.modelIds) {
    const entry = manifest.models.find((m) => m.id === id);
    if (!entry) throw new Error(`model "${id}" is not in the manifest`);
    const serving = init.serving[id];
    if (!serving) throw new Error(`no serving settings for model "${id}"`);
    const opts = { intraOpThreads: serving.intraOpThreads };
    const later = init.onDemand.includes(id);
    if (later) await verifyModelFile(init.modelsDir, entry);
    if (entry.task === 'detect' || entry.task === 'segment') {
      const loader = entry.task === 'detect' ? loadDetectModel : loadSegmentModel;
      const { session, ...info } = later
        ? { entry, labels: readLabels(init.modelsDir, entry), session: undefined }
        : await loader(entry, init.modelsDir, opts);
      const run = session ? sessionRun(session) : onDemand(id, () => loader(entry, init.modelsDir, opts));
      if (entry.task === 'detect') served.detect.set(id, { info, ...batchedDetector(info, run, serving) });
      else served.segment.set(id, { info, ...batchedSegmenter(info, run, serving) });
    } else {
      const labels = readLabels(init.modelsDir, entry);
      const { session, ...info } = later
        ? { entry, labels, classToLabel: labelMapFor(entry, labels), session: undefined }
        : await loadParseModel(entry, init.modelsDir, opts);
      const run = session
        ? sessionRun(session)
        : onDemand(id, () => loadParseModel(entry, init.modelsDir, opts));
      if (entry.format === 'sch-fusion') {
        const partsId = entry.fuse?.parts;
        if (!partsId || !init.modelIds.includes(partsId)) {
          throw new Error(`model "${id}" fuses with "${partsId}", which this thread does not load`);
        }
        served.fused.set(id, { info, partsId, ...batchedClothesSegmenter(info, run, serving) });
      } else {
        served.parse.set(id, { info, ...batchedParser(info, run, serving) });
      }
    }
  }
  const defaultDetector = manifest.models.find((m) => m.task === 'detect' && m.default);
  // With the default detector missing (a partial install), any loaded detector finds people.
  const persons =
    (defaultDetector ? served.detect.get(defaultDetector.id) : undefined) ?? [...served.detect.values()][0];
  if (persons) served.personDetector = { info: persons.info, runner: persons.runner };
  return served;
}

type Session = Awaited<ReturnType<typeof loadDetectModel>>['session'];

/** Models whose session this thread has created on demand (reported with each answer). */
const loadedOnDemand = new Set<string>();

/** A run that creates its session on first use (a failed load is tried again on the next run). */
function onDemand(id: string, load: () => Promise<{ session: Session }>): SessionRun {
  let ready: Promise<SessionRun> | undefined;
  return async (feeds, fetch) => {
    ready ??= load().then(
      ({ session }) => (loadedOnDemand.add(id), sessionRun(session)),
      (err: Error) => {
        ready = undefined;
        throw err;
      },
    );
    return (await ready)(feeds, fetch);
  };
}

async function setup(
  init: InferenceThreadInit,
  _log: ThreadLog,
  call: ParentCall<DetectorCall, DetectorAnswer>,
): Promise<RpcService<ThreadRequest, ThreadAnswer, ThreadReady>> {
  const started = performance.now();
  const served = await load(init);
  if (init.remoteDetector) served.personDetector = remoteDetector(init, call);
  const models = [
    ...served.detect.keys(),
    ...served.parse.keys(),
    ...served.segment.keys(),
    ...served.fused.keys(),
  ];
  return {
    ready: { models, loadMs: Math.round(performance.now() - started) },
    handle: async (req) => {
      if (req.kind === 'detector') {
        // A parse job of the other lane: its input joins this detector's batches.
        const model = served.detect.get(req.modelId);
        if (!model) throw new Error(`person detector "${req.modelId}" is not on this thread`);
        const { output, batch } = await model.runner(req.input);
        const own = output.slice(); // a view into the batch's output, shared with other jobs
        return { value: { kind: 'detector', run: { output: own, batch } }, transfer: [own.buffer] };
      }
      const { output, transfer } = await run(init, served, req);
      return { value: { ...output, loadedOnDemand: [...loadedOnDemand] }, transfer };
    },
  };
}

/** Parse's person detector on the detect lane: each prepared input goes there through the main thread. */
function remoteDetector(
  init: InferenceThreadInit,
  call: ParentCall<DetectorCall, DetectorAnswer>,
): Served['personDetector'] {
  const modelId = init.remoteDetector!;
  const entry = readManifest(init.manifestPath).models.find((m) => m.id === modelId);
  if (!entry) throw new Error(`model "${modelId}" is not in the manifest`);
  const info: DetectModelInfo = { entry, labels: readLabels(init.modelsDir, entry) };
  const runner: DetectRunner = (input) => {
    const owned =
      input.byteOffset === 0 && input.byteLength === input.buffer.byteLength ? input : input.slice();
    return call({ modelId, input: owned }, [owned.buffer as ArrayBuffer]);
  };
  return { info, runner };
}

async function run(
  init: InferenceThreadInit,
  served: Served,
  req: InferenceRequest,
): Promise<{ output: InferenceOutput; transfer: ArrayBuffer[] }> {
  const bytes = Buffer.from(req.image.buffer, req.image.byteOffset, req.image.byteLength);
  const limits = { maxPixels: init.maxPixels, timeoutSeconds: init.decodeTimeoutSeconds };
  const maxRender = init.maxRenderPixels ?? Infinity;
  if (req.kind === 'detect') {
    const model = served.detect.get(req.modelId);
    if (!model)
      throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
    const result = await detectImageWith(model.info, model.runner, bytes, req.options, limits);
    const artifacts: Artifacts = {};
    if (req.options.overlay) {
      const started = performance.now();
      artifacts['overlay.png'] = owned(
        await renderDetectionOverlay(bytes, result.detections, result.image, maxRender),
      );
      const drawn = renderSize(result.image.width, result.image.height, maxRender);
      if (drawn.scale !== 1) result.overlay = drawn;
      result.timings.postMs = Math.round((result.timings.postMs + performance.now() - started) * 10) / 10;
    }
    return {
      output: { kind: 'detect', result, artifacts },
      transfer: Object.values(artifacts).map((a) => a.buffer as ArrayBuffer),
    };
  }
  if (req.kind === 'segment') {
    const model = served.segment.get(req.modelId);
    if (!model)
      throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
    const { result, masks } = await segmentImageWith(model.info, model.runner, bytes, req.options, limits);
    const artifacts: Artifacts = {};
    if (req.options.overlay) {
      const started = performance.now();
      const image = await decodeRgb(bytes, limits);
      const full = await renderSegmentOverlay(image, result.instances, masks);
      // Capped like the other overlays, so a 40 MP input never stores a ~100 MB artifact.
      const overlay = await capRenderedPng(full, image.width, image.height, maxRender);
      if (overlay.size) result.overlay = overlay.size;
      artifacts['overlay.png'] = owned(overlay.png);
      result.timings.postMs = Math.round((result.timings.postMs + performance.now() - started) * 10) / 10;
    }
    return {
      output: { kind: 'segment', result, artifacts },
      transfer: Object.values(artifacts).map((a) => a.buffer as ArrayBuffer),
    };
  }
  const fused = served.fused.get(req.modelId);
  const parts = served.parse.get(fused ? fused.partsId : req.modelId);
  if (!parts) throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
  const { result, artifacts } = await parseImageWith(
    { parts: parts.info, clothes: fused?.info, persons: served.personDetector?.info },
    { detect: served.personDetector?.runner, parts: parts.runner, clothes: fused?.runner },
    bytes,
    req.options,
    limits,
  );
  // The pipeline draws the overlay at full size; a larger one is stored downscaled, so a
  // 40 MP input never becomes a ~100 MB artifact (nor a 136 MB base64 answer of /api/parse).
  // With a render size in the parse pipeline's options this step could go (docs/reliability.md).
  const overlay = await capRenderedPng(
    artifacts.overlayPng,
    result.image.width,
    result.image.height,
    maxRender,
  );
  if (overlay.size) result.overlay = overlay.size;
  const named: Artifacts = {
    'overlay.png': owned(overlay.png),
    'labels.png': owned(artifacts.labelsPng),
  };
  artifacts.personMaskPngs.forEach((png, i) => (named[`person-${i}.png`] = owned(png)));
  return {
    output: { kind: 'parse', result, artifacts: named },
    transfer: Object.values(named).map((a) => a.buffer as ArrayBuffer),
  };
}

/** A Uint8Array that owns its whole ArrayBuffer, so it can be transferred. */
function owned(buf: Buffer): Uint8Array {
  return new Uint8Array(buf);
}

/** Failures keep their API code (`invalid_image`, `timeout`, …); anything else is `inference_failed`. */
function toWire(err: unknown): WireError {
  return err instanceof AppError || err instanceof ImageError
    ? { code: err.code, message: err.message }
    : { code: 'inference_failed', message: (err as Error).message };
}

serveRpc(setup, toWire);
