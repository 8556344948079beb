/**
 * The inference thread. onnxruntime-node's `run()` blocks the thread that calls it, so
 * sessions live here and the worker's main thread stays free to renew BullMQ locks,
 * send heartbeats and take new jobs while a model runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '@argus/contracts';
import { detectImage, loadDetectModels, readManifest, type DetectModel } from '@argus/models';
import type { InferenceRequest, InferenceThreadInit, ThreadEvent } from './inference-protocol';

const init = workerData as InferenceThreadInit;
if (!parentPort) throw new Error('inference-thread must run as a worker thread');
const port = parentPort;

const post = (event: ThreadEvent) => port.postMessage(event);

async function main(): Promise<void> {
  const started = performance.now();
  let models: Map<string, DetectModel>;
  try {
    const manifest = readManifest(init.manifestPath);
    models = await loadDetectModels(manifest, init.modelsDir, init.modelIds, {
      intraOpThreads: init.intraOpThreads,
    });
  } catch (err) {
    post({ type: 'init-failed', message: (err as Error).message });
    return;
  }
  port.on('message', (req: InferenceRequest) => {
    void handle(models, req);
  });
  post({ type: 'ready', models: [...models.keys()], loadMs: Math.round(performance.now() - started) });
}

async function handle(models: Map<string, DetectModel>, req: InferenceRequest): Promise<void> {
  try {
    const model = models.get(req.modelId);
    if (!model) throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
    const bytes = Buffer.from(req.image.buffer, req.image.byteOffset, req.image.byteLength);
    const result = await detectImage(model, bytes, req.options, { maxPixels: init.maxPixels });
    post({ type: 'response', requestId: req.requestId, ok: true, result });
  } catch (err) {
    const error =
      err instanceof AppError
        ? { code: err.code, message: err.message }
        : { code: 'inference_failed' as const, message: (err as Error).message };
    post({ type: 'response', requestId: req.requestId, ok: false, error });
  }
}

void main();
