import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  AppError,
  type DetectOptions,
  type DetectResult,
  type ParseOptions,
  type ParseResult,
  type SegmentOptions,
  type SegmentResult,
} from '@argus/contracts';
import type { Logger } from '@argus/config';
import type {
  Artifacts,
  InferenceOutput,
  InferenceRequest,
  InferenceResponse,
  InferenceThreadInit,
  ThreadEvent,
} from './inference-protocol';

type Pending = { resolve: (r: InferenceOutput) => void; reject: (e: Error) => void };

/**
 * Main-thread handle on the inference thread: request/response by id. If the thread dies,
 * pending requests fail with a retryable error and a new thread is started, so one crash
 * costs a retry, not the worker.
 */
export class InferenceClient {
  private thread!: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closing = false;
  loadedModels: string[] = [];

  private constructor(
    private readonly init: InferenceThreadInit,
    private readonly log: Logger,
  ) {}

  /** Starts the thread and resolves once every model is loaded (or rejects with why not). */
  static async start(init: InferenceThreadInit, log: Logger): Promise<InferenceClient> {
    const client = new InferenceClient(init, log);
    await client.spawn();
    return client;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const thread = new Worker(path.join(__dirname, 'inference-thread.js'), { workerData: this.init });
      this.thread = thread;
      let ready = false;
      thread.on('message', (event: ThreadEvent) => {
        if (event.type === 'ready') {
          ready = true;
          this.loadedModels = event.models;
          this.log.info('models loaded', {
            models: event.models,
            loadMs: event.loadMs,
            serving: event.serving,
          });
          resolve();
        } else if (event.type === 'log') {
          this.log[event.level](event.message, event.fields);
        } else if (event.type === 'init-failed') {
          reject(new Error(event.message));
          void thread.terminate();
        } else {
          this.settle(event);
        }
      });
      thread.on('error', (err) => {
        this.log.error('inference thread crashed', { err });
        if (!ready) reject(err);
      });
      thread.on('exit', (code) => {
        this.failPending(`the inference thread exited (code ${code})`);
        if (ready && !this.closing) {
          this.log.warn('restarting inference thread', { code });
          this.spawn().catch((err: Error) => {
            this.log.error('inference thread restart failed; exiting', { err });
            process.exit(1);
          });
        }
      });
    });
  }

  async detect(
    modelId: string,
    image: Buffer,
    options: DetectOptions,
  ): Promise<{ result: DetectResult; artifacts: Artifacts }> {
    const output = await this.request({ kind: 'detect', modelId, options }, image);
    if (output.kind !== 'detect')
      throw new Error('inference thread answered a detect request with a parse result');
    return { result: output.result, artifacts: output.artifacts };
  }

  async parse(
    modelId: string,
    image: Buffer,
    options: ParseOptions,
  ): Promise<{ result: ParseResult; artifacts: Artifacts }> {
    const output = await this.request({ kind: 'parse', modelId, options }, image);
    if (output.kind !== 'parse')
      throw new Error('inference thread answered a parse request with a detect result');
    return { result: output.result, artifacts: output.artifacts };
  }

  async segment(
    modelId: string,
    image: Buffer,
    options: SegmentOptions,
  ): Promise<{ result: SegmentResult; artifacts: Artifacts }> {
    const output = await this.request({ kind: 'segment', modelId, options }, image);
    if (output.kind !== 'segment')
      throw new Error(`inference thread answered a segment request with a ${output.kind} result`);
    return { result: output.result, artifacts: output.artifacts };
  }

  private request(
    req:
      | { kind: 'detect'; modelId: string; options: DetectOptions }
      | { kind: 'parse'; modelId: string; options: ParseOptions }
      | { kind: 'segment'; modelId: string; options: SegmentOptions },
    image: Buffer,
  ): Promise<InferenceOutput> {
    const requestId = this.nextId++;
    // Copy into a fresh ArrayBuffer we can transfer (the Redis buffer may be pooled).
    const owned = new Uint8Array(image);
    const message = { ...req, requestId, image: owned } as InferenceRequest;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.thread.postMessage(message, [owned.buffer]);
    });
  }

  private settle(res: InferenceResponse): void {
    const waiter = this.pending.get(res.requestId);
    if (!waiter) return;
    this.pending.delete(res.requestId);
    if (res.ok) waiter.resolve(res.output);
    else waiter.reject(new AppError(res.error.code, res.error.message));
  }

  private failPending(reason: string): void {
    for (const [id, waiter] of this.pending) {
      waiter.reject(new Error(reason));
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.thread.terminate();
  }
}
