/**
 * The inference thread. onnxruntime-node's `run()` blocks the thread that calls it, so no
 * model runs on the worker's main thread, which stays free to renew BullMQ locks, send
 * heartbeats and take new jobs. This thread decodes and preprocesses each request as it
 * arrives, hands the prepared input to its model's dynamic batcher, and postprocesses each
 * job's own slice of the batch output. The runs themselves happen on the model instances
 * (session threads, see `session-pool.ts`), so decoding the next jobs overlaps the current run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '@argus/contracts';
import {
  capRenderedPng,
  decodeRgb,
  renderDetectionOverlay,
  renderSegmentOverlay,
  renderSize,
} from '@argus/vision';
import {
  detectImageWith,
  labelMapFor,
  parseImageWith,
  readLabels,
  readManifest,
  segmentImageWith,
  type DetectModelInfo,
  type DetectRunner,
  type ParseModelInfo,
  type ParseRunners,
  type SegmentModelInfo,
  type SegmentRunner,
} from '@argus/models';
import {
  batchedClothesSegmenter,
  batchedDetector,
  batchedParser,
  batchedSegmenter,
  type BatchedModel,
} from './batched-runners';
import { SessionPool, type PoolLog } from './session-pool';
import type {
  Artifacts,
  InferenceOutput,
  InferenceRequest,
  InferenceThreadInit,
  ThreadEvent,
} from './inference-protocol';

const init = workerData as InferenceThreadInit;
if (!parentPort) throw new Error('inference-thread must run as a worker thread');
const port = parentPort;

const post = (event: ThreadEvent, transfer: ArrayBuffer[] = []) => port.postMessage(event, transfer);
const log: PoolLog = (level, message, fields) => post({ type: 'log', level, message, fields });

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

async function load(): Promise<Served> {
  const manifest = readManifest(init.manifestPath);
  const entries = init.modelIds.map((id) => {
    const entry = manifest.models.find((m) => m.id === id);
    if (!entry) throw new Error(`model "${id}" is not in the manifest`);
    return entry;
  });
  const pools: SessionPool[] = [];
  try {
    // Every instance loads (and verifies) its model at once; the cores are idle at start-up.
    const started = await Promise.all(
      entries.map(async (entry) => {
        const serving = init.serving[entry.id];
        if (!serving) throw new Error(`no serving settings for model "${entry.id}"`);
        const pool = await SessionPool.start(
          {
            modelsDir: init.modelsDir,
            manifestPath: init.manifestPath,
            modelId: entry.id,
            intraOpThreads: serving.intraOpThreads,
          },
          serving.instances,
          log,
        );
        pools.push(pool);
        return { entry, serving, pool };
      }),
    );
    const served: Served = { detect: new Map(), parse: new Map(), segment: new Map(), fused: new Map() };
    for (const { entry, serving, pool } of started) {
      const labels = readLabels(init.modelsDir, entry);
      if (entry.task === 'detect') {
        const info: DetectModelInfo = { entry, labels };
        served.detect.set(entry.id, { info, ...batchedDetector(info, pool, serving) });
      } else if (entry.task === 'segment') {
        const info: SegmentModelInfo = { entry, labels };
        served.segment.set(entry.id, { info, ...batchedSegmenter(info, pool, serving) });
      } else if (entry.format === 'sch-fusion') {
        const info: ParseModelInfo = { entry, labels, classToLabel: labelMapFor(entry, labels) };
        const partsId = entry.fuse?.parts;
        if (!partsId || !init.modelIds.includes(partsId)) {
          throw new Error(`model "${entry.id}" fuses with "${partsId}", which this worker does not load`);
        }
        served.fused.set(entry.id, { info, partsId, ...batchedClothesSegmenter(info, pool, serving) });
      } else {
        const info: ParseModelInfo = { entry, labels, classToLabel: labelMapFor(entry, labels) };
        served.parse.set(entry.id, { info, ...batchedParser(info, pool, serving) });
      }
    }
    const defaultDetector = manifest.models.find((m) => m.task === 'detect' && m.default);
    // With the default detector missing (a partial install), any loaded detector finds people.
    const persons =
      (defaultDetector ? served.detect.get(defaultDetector.id) : undefined) ?? [...served.detect.values()][0];
    if (persons) served.personDetector = { info: persons.info, runner: persons.runner };
    return served;
  } catch (err) {
    await Promise.all(pools.map((p) => p.close()));
    throw err;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  let served: Served;
  try {
    served = await load();
  } catch (err) {
    post({ type: 'init-failed', message: (err as Error).message });
    return;
  }
  port.on('message', (req: InferenceRequest) => {
    void handle(served, req);
  });
  const loaded = [
    ...served.detect.keys(),
    ...served.parse.keys(),
    ...served.segment.keys(),
    ...served.fused.keys(),
  ];
  post({
    type: 'ready',
    models: loaded,
    loadMs: Math.round(performance.now() - started),
    serving: init.serving,
  });
}

async function run(
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

async function handle(served: Served, req: InferenceRequest): Promise<void> {
  try {
    const { output, transfer } = await run(served, req);
    post({ type: 'response', requestId: req.requestId, ok: true, output }, transfer);
  } catch (err) {
    const error =
      err instanceof AppError
        ? { code: err.code, message: err.message }
        : { code: 'inference_failed' as const, message: (err as Error).message };
    post({ type: 'response', requestId: req.requestId, ok: false, error });
  }
}

void main();
