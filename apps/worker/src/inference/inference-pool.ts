import path from 'node:path';
import { AppError, type ErrorCode, type Task } from '@argus/contracts';
import type { Manifest } from '@argus/models';
import type { Logger } from '@argus/config';
import type {
  DetectorAnswer,
  DetectorCall,
  Inference,
  InferenceOutput,
  InferenceRequest,
  InferenceThreadInit,
  ThreadAnswer,
  ThreadReady,
  ThreadRequest,
} from './inference-protocol';
import { RpcThread, type WireError } from './thread-rpc';

type Thread = RpcThread<ThreadRequest, ThreadAnswer, ThreadReady, DetectorCall, DetectorAnswer>;

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
 *
 * With `onDemand`, the models no default model needs (yolov8n-int8, bodypix-050, …) are
 * verified at start but get their sessions on first use; until then the worker lists them
 * in `modelsOnDemand()` beside the models it serves.
 */
export class InferencePool implements Inference {
  loadedModels: string[] = [];
  private onDemand: string[] = [];
  private readonly loadedOnDemand = new Set<string>();

  private constructor(private readonly lanes: { detect: Lane; parse: Lane }) {}

  static async start(
    init: Omit<InferenceThreadInit, 'modelIds' | 'onDemand'>,
    manifest: Manifest,
    modelIds: readonly string[],
    tasks: readonly Task[],
    log: Logger,
    opts: { onDemand: boolean },
  ): Promise<InferencePool> {
    const byId = (id: string) => manifest.models.find((m) => m.id === id);
    const parseIds = modelIds.filter((id) => byId(id)?.task === 'parse');
    const detectIds = modelIds.filter((id) => byId(id)?.task !== 'parse');
    const personDetector = manifest.models.find((m) => m.task === 'detect' && m.default)?.id;
    const split =
      tasks.includes('parse') && tasks.some((t) => t !== 'parse') && parseIds.length && detectIds.length;
    // With two lanes, parse finds people with the detect lane's detector: its inputs join
    // that detector's batches through the main thread (a session belongs to one thread, and
    // a second copy per parse thread cost its weights and its arena).
    const remoteDetector =
      split && personDetector && detectIds.includes(personDetector) ? personDetector : undefined;
    const needs = (id: string, withDetector = !remoteDetector): string[] => {
      const entry = byId(id);
      const extra = entry?.fuse?.parts ? [entry.fuse.parts] : [];
      if (withDetector && entry?.task === 'parse' && personDetector && modelIds.includes(personDetector))
        extra.push(personDetector);
      return [id, ...extra];
    };
    const plan = (ids: readonly string[]): string[][] => {
      const count = Math.max(1, ...ids.map((id) => init.serving[id]?.instances ?? 1));
      return Array.from({ length: count }, (_, i) => {
        const own = ids.filter((id) => (init.serving[id]?.instances ?? 1) > i);
        return [...new Set(own.flatMap((id) => needs(id)))];
      });
    };
    const required = new Set(modelIds.filter((id) => byId(id)?.default).flatMap((id) => needs(id, true)));
    const onDemand = opts.onDemand ? modelIds.filter((id) => !required.has(id)) : [];
    const lanePlans = split
      ? { detect: plan(detectIds), parse: plan(parseIds) }
      : { detect: plan(modelIds), parse: [] };
    const started: Thread[] = [];
    let detectLane: Lane | undefined;
    const startLane = async (name: Lane['name'], plans: string[][]): Promise<Lane> => ({
      name,
      threads: await Promise.all(
        plans.map(async (ids, i) => {
          const threadLog = log.child({ lane: name, thread: i });
          const thread = await RpcThread.start<
            ThreadRequest,
            ThreadAnswer,
            ThreadReady,
            DetectorCall,
            DetectorAnswer
          >(
            path.join(__dirname, 'inference-thread.js'),
            {
              ...init,
              modelIds: ids,
              onDemand: onDemand.filter((id) => ids.includes(id)),
              ...(name === 'parse' && remoteDetector ? { remoteDetector } : {}),
            } satisfies InferenceThreadInit,
            {
              name: 'inference thread',
              log: (level, message, fields) => threadLog[level](message, fields),
              toError,
              onReady: (ready) => threadLog.info('models loaded', { ...ready }),
              onCall: async (call) => {
                if (!detectLane) throw new Error('the detect lane is not running');
                const answer = await send(detectLane, { kind: 'detector', ...call }, [
                  call.input.buffer as ArrayBuffer,
                ]);
                if (answer.kind !== 'detector')
                  throw new Error('the detect lane answered a detector input with a job');
                return { value: answer.run, transfer: [answer.run.output.buffer as ArrayBuffer] };
              },
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
      detectLane = detect;
      const pool = new InferencePool({ detect, parse: split ? parse : detect });
      pool.loadedModels = [...new Set([...lanePlans.detect, ...lanePlans.parse].flat())];
      pool.onDemand = onDemand;
      log.info('inference pool ready', {
        lanes: split ? 2 : 1,
        threads: started.length,
        onDemand,
        remoteDetector,
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
    // Copy into a fresh ArrayBuffer that can be transferred (the Redis buffer may be pooled).
    const owned = new Uint8Array(image);
    const answer = await send(lane, { ...req, image: owned } as InferenceRequest, [owned.buffer]);
    if (answer.kind !== req.kind) {
      throw new Error(`inference thread answered a ${req.kind} request with a ${answer.kind} result`);
    }
    const { loadedOnDemand, ...output } = answer;
    for (const id of loadedOnDemand) this.loadedOnDemand.add(id);
    return output;
  }

  /** Served models whose sessions no thread has created yet (they load on their first job). */
  modelsOnDemand(): string[] {
    return this.onDemand.filter((id) => !this.loadedOnDemand.has(id));
  }

  async close(): Promise<void> {
    const all = [...this.lanes.detect.threads, ...this.lanes.parse.threads].map((t) => t.thread);
    await Promise.all([...new Set(all)].map((t) => t.close()));
  }
}

/** To the least busy thread of `lane` that holds the request's model. */
function send(lane: Lane, req: ThreadRequest, transfer: ArrayBuffer[]): Promise<ThreadAnswer> {
  const holders = lane.threads.filter((t) => t.models.includes(req.modelId));
  if (!holders.length) {
    throw new AppError('model_unavailable', `model "${req.modelId}" is not loaded on this worker`);
  }
  const { thread } = holders.reduce((best, t) => (t.thread.inFlight < best.thread.inFlight ? t : best));
  return thread.request(req, transfer);
}

function toError(error: WireError): Error {
  return new AppError((error.code ?? 'inference_failed') as ErrorCode, error.message);
}
