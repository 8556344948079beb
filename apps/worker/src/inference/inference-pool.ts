import path from 'node:path';
import { AppError, type ErrorCode, type Task } from '@argus/contracts';
import type { Manifest } from '@argus/models';
import type { Logger } from '@argus/config';
import type {
  Inference,
  InferenceOutput,
  InferenceRequest,
  InferenceThreadInit,
  ThreadReady,
} from './inference-protocol';
import { RpcThread, type WireError } from './thread-rpc';

type Thread = RpcThread<InferenceRequest, InferenceOutput, ThreadReady>;

interface Lane {
  name: 'detect' | 'parse';
  threads: { thread: Thread; models: readonly string[] }[];
}

/**
 * The worker's inference threads, in lanes. Detection and segmentation (short jobs) share
 * the detect lane; parse has its own when a worker serves both, so a parse's seconds of
 * post-processing (a 40 MP image's masks and overlay) never hold a detect job. Each lane
 * has as many threads as its models have instances (MODEL_INSTANCES, or a model's
 * override); thread i holds one session of every model with more than i instances (and what
 * they need: a fused model's BodyPix, parse's person detector). A job goes to the least
 * busy thread of its lane that holds its model.
 */
export class InferencePool implements Inference {
  loadedModels: string[] = [];

  private constructor(private readonly lanes: { detect: Lane; parse: Lane }) {}

  static async start(
    init: Omit<InferenceThreadInit, 'modelIds'>,
    manifest: Manifest,
    modelIds: readonly string[],
    tasks: readonly Task[],
    log: Logger,
  ): Promise<InferencePool> {
    const byId = (id: string) => manifest.models.find((m) => m.id === id);
    const parseIds = modelIds.filter((id) => byId(id)?.task === 'parse');
    const detectIds = modelIds.filter((id) => byId(id)?.task !== 'parse');
    const personDetector = manifest.models.find((m) => m.task === 'detect' && m.default)?.id;
    const split =
      tasks.includes('parse') && tasks.some((t) => t !== 'parse') && parseIds.length && detectIds.length;
    // The parse lane loads its own person detector (YOLOv8n, ~12 MB): a session cannot be
    // shared between threads, and borrowing the detect lane's would queue parse's person
    // search behind detect jobs.
    const needs = (id: string): string[] => {
      const entry = byId(id);
      const extra = entry?.fuse?.parts ? [entry.fuse.parts] : [];
      if (entry?.task === 'parse' && personDetector && modelIds.includes(personDetector))
        extra.push(personDetector);
      return [id, ...extra];
    };
    const plan = (ids: readonly string[]): string[][] => {
      const count = Math.max(1, ...ids.map((id) => init.serving[id]?.instances ?? 1));
      return Array.from({ length: count }, (_, i) => {
        const own = ids.filter((id) => (init.serving[id]?.instances ?? 1) > i);
        return [...new Set(own.flatMap(needs))];
      });
    };
    const lanePlans = split
      ? { detect: plan(detectIds), parse: plan(parseIds) }
      : { detect: plan(modelIds), parse: [] };
    const started: Thread[] = [];
    const startLane = async (name: Lane['name'], plans: string[][]): Promise<Lane> => ({
      name,
      threads: await Promise.all(
        plans.map(async (ids, i) => {
          const threadLog = log.child({ lane: name, thread: i });
          const thread = await RpcThread.start<InferenceRequest, InferenceOutput, ThreadReady>(
            path.join(__dirname, 'inference-thread.js'),
            { ...init, modelIds: ids } satisfies InferenceThreadInit,
            {
              name: 'inference thread',
              log: (level, message, fields) => threadLog[level](message, fields),
              toError,
              onReady: (ready) => threadLog.info('models loaded', { ...ready }),
            },
          );
          started.push(thread);
          return { thread, models: ids };
        }),
      ),
    });
    try {
      const [detect, parse] = await Promise.all([
        startLane('detect', lanePlans.detect),
        startLane('parse', lanePlans.parse),
      ]);
      const pool = new InferencePool({ detect, parse: split ? parse : detect });
      pool.loadedModels = [...new Set([...lanePlans.detect, ...lanePlans.parse].flat())];
      log.info('inference pool ready', {
        lanes: split ? 2 : 1,
        threads: started.length,
        serving: init.serving,
      });
      return pool;
    } catch (err) {
      await Promise.all(started.map((t) => t.close()));
      throw err;
    }
  }

  detect: Inference['detect'] = (modelId, image, options) =>
    this.request(this.lanes.detect, { kind: 'detect', modelId, options }, image) as ReturnType<
      Inference['detect']
    >;

  segment: Inference['segment'] = (modelId, image, options) =>
    this.request(this.lanes.detect, { kind: 'segment', modelId, options }, image) as ReturnType<
      Inference['segment']
    >;

  parse: Inference['parse'] = (modelId, image, options) =>
    this.request(this.lanes.parse, { kind: 'parse', modelId, options }, image) as ReturnType<
      Inference['parse']
    >;

  private async request(
    lane: Lane,
    req: Omit<InferenceRequest, 'image'>,
    image: Buffer,
  ): Promise<InferenceOutput> {
    const holders = lane.threads.filter((t) => t.models.includes(req.modelId));
    if (!holders.length) {
      throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
    }
    const { thread } = holders.reduce((best, t) => (t.thread.inFlight < best.thread.inFlight ? t : best));
    // Copy into a fresh ArrayBuffer that can be transferred (the Redis buffer may be pooled).
    const owned = new Uint8Array(image);
    const output = await thread.request({ ...req, image: owned } as InferenceRequest, [owned.buffer]);
    if (output.kind !== req.kind) {
      throw new Error(`inference thread answered a ${req.kind} request with a ${output.kind} result`);
    }
    return output;
  }

  async close(): Promise<void> {
    const all = [...this.lanes.detect.threads, ...this.lanes.parse.threads].map((t) => t.thread);
    await Promise.all([...new Set(all)].map((t) => t.close()));
  }
}

function toError(error: WireError): Error {
  return new AppError((error.code ?? 'inference_failed') as ErrorCode, error.message);
}
