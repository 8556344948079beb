/**
 * One model instance: a thread that owns one onnxruntime session and runs whole batches on
 * it. `run()` blocks the thread that calls it, so each instance has its own thread; the
 * inference thread keeps decoding, batching and postprocessing while instances run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { loadDetectModel, loadParseModel, loadSegmentModel, readManifest } from '@argus/models';
import type { RunRequest, SessionEvent, SessionThreadInit, TensorMessage } from './inference-protocol';

const init = workerData as SessionThreadInit;
if (!parentPort) throw new Error('session-thread must run as a worker thread');
const port = parentPort;
const post = (event: SessionEvent, transfer: ArrayBuffer[] = []) => port.postMessage(event, transfer);

async function load(): Promise<InferenceSession> {
  const manifest = readManifest(init.manifestPath);
  const entry = manifest.models.find((m) => m.id === init.modelId);
  if (!entry) throw new Error(`model "${init.modelId}" is not in the manifest`);
  const opts = { intraOpThreads: init.intraOpThreads };
  // The loaders verify the file's sha256 and its input and output names.
  const model =
    entry.task === 'detect'
      ? await loadDetectModel(entry, init.modelsDir, opts)
      : entry.task === 'segment'
        ? await loadSegmentModel(entry, init.modelsDir, opts)
        : await loadParseModel(entry, init.modelsDir, opts);
  return model.session;
}

async function run(session: InferenceSession, req: RunRequest): Promise<void> {
  try {
    const feeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(req.feeds)) feeds[name] = new Tensor('float32', t.data, t.dims);
    const started = performance.now();
    const result = await session.run(feeds, req.fetch);
    const runMs = performance.now() - started;
    const outputs: Record<string, TensorMessage> = {};
    const transfer: ArrayBuffer[] = [];
    for (const name of req.fetch) {
      const tensor = result[name];
      if (!tensor) throw new Error(`model "${init.modelId}" returned no output "${name}"`);
      if (tensor.type !== 'float32') throw new Error(`output "${name}" is ${tensor.type}, expected float32`);
      const data = ownedFloat32(tensor.data as Float32Array);
      outputs[name] = { data, dims: [...tensor.dims] };
      transfer.push(data.buffer as ArrayBuffer);
    }
    post({ type: 'result', runId: req.runId, ok: true, outputs, runMs }, transfer);
  } catch (err) {
    post({ type: 'result', runId: req.runId, ok: false, message: (err as Error).message });
  }
}

/** `data` itself when it spans its whole buffer (so it can be transferred), else a copy. */
function ownedFloat32(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

async function main(): Promise<void> {
  const started = performance.now();
  let session: InferenceSession;
  try {
    session = await load();
  } catch (err) {
    post({ type: 'init-failed', message: (err as Error).message });
    return;
  }
  // Runs arrive one at a time per instance (the batcher never sends an instance two), but
  // a queue keeps them in order should that ever change.
  let chain = Promise.resolve();
  port.on('message', (req: RunRequest) => {
    chain = chain.then(() => run(session, req));
  });
  post({ type: 'ready', loadMs: Math.round(performance.now() - started) });
}

void main();
