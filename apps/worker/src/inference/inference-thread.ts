/**
 * The inference thread. onnxruntime-node's `run()` blocks the thread that calls it, so
 * sessions live here and the worker's main thread stays free to renew BullMQ locks,
 * send heartbeats and take new jobs while a model runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '@argus/contracts';
import { renderDetectionOverlay } from '@argus/vision';
import {
  detectImage,
  loadDetectModels,
  loadParseModels,
  parseImage,
  readManifest,
  type DetectModel,
  type ParseModel,
} from '@argus/models';
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

interface LoadedModels {
  detect: Map<string, DetectModel>;
  parse: Map<string, ParseModel>;
  /** Finds people for parse's crop mode: the default detector when it is loaded. */
  personDetector?: DetectModel;
}

async function main(): Promise<void> {
  const started = performance.now();
  let models: LoadedModels;
  try {
    const manifest = readManifest(init.manifestPath);
    const sessionOpts = { intraOpThreads: init.intraOpThreads };
    const detect = await loadDetectModels(manifest, init.modelsDir, init.modelIds, sessionOpts);
    const parse = await loadParseModels(manifest, init.modelsDir, init.modelIds, sessionOpts);
    const defaultDetector = manifest.models.find((m) => m.task === 'detect' && m.default);
    models = { detect, parse, personDetector: defaultDetector ? detect.get(defaultDetector.id) : undefined };
  } catch (err) {
    post({ type: 'init-failed', message: (err as Error).message });
    return;
  }
  port.on('message', (req: InferenceRequest) => {
    void handle(models, req);
  });
  const loaded = [...models.detect.keys(), ...models.parse.keys()];
  post({ type: 'ready', models: loaded, loadMs: Math.round(performance.now() - started) });
}

async function run(
  models: LoadedModels,
  req: InferenceRequest,
): Promise<{ output: InferenceOutput; transfer: ArrayBuffer[] }> {
  const bytes = Buffer.from(req.image.buffer, req.image.byteOffset, req.image.byteLength);
  const limits = { maxPixels: init.maxPixels };
  if (req.kind === 'detect') {
    const model = models.detect.get(req.modelId);
    if (!model)
      throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
    const result = await detectImage(model, bytes, req.options, limits);
    const artifacts: Artifacts = {};
    if (req.options.overlay) {
      const started = performance.now();
      artifacts['overlay.png'] = owned(await renderDetectionOverlay(bytes, result.detections, result.image));
      result.timings.postMs = Math.round((result.timings.postMs + performance.now() - started) * 10) / 10;
    }
    return {
      output: { kind: 'detect', result, artifacts },
      transfer: Object.values(artifacts).map((a) => a.buffer as ArrayBuffer),
    };
  }
  const parts = models.parse.get(req.modelId);
  if (!parts) throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
  const { result, artifacts } = await parseImage(
    { parts, persons: models.personDetector },
    bytes,
    req.options,
    limits,
  );
  const named: Artifacts = {
    'overlay.png': owned(artifacts.overlayPng),
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

async function handle(models: LoadedModels, req: InferenceRequest): Promise<void> {
  try {
    const { output, transfer } = await run(models, req);
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
