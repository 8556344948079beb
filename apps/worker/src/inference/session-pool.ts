import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunRequest, SessionEvent, SessionThreadInit, TensorMessage } from './inference-protocol';

export interface RunOutputs {
  outputs: Record<string, TensorMessage>;
  runMs: number;
}

interface Instance {
  index: number;
  thread: Worker;
  pending: Map<number, { resolve(r: RunOutputs): void; reject(e: Error): void }>;
}

export type PoolLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/**
 * The instances of one model: `instances` session threads, each with its own session. A
 * run goes to the instance with the fewest runs in hand (the batcher keeps at most one per
 * instance in flight). An instance that dies fails its runs with a retryable error and is
 * started again.
 */
export class SessionPool {
  private readonly instances: Instance[] = [];
  private nextRunId = 1;
  private closing = false;

  private constructor(
    private readonly init: SessionThreadInit,
    private readonly log: PoolLog,
  ) {}

  /** Starts `count` instances and resolves once every one has loaded the model. */
  static async start(init: SessionThreadInit, count: number, log: PoolLog): Promise<SessionPool> {
    const pool = new SessionPool(init, log);
    try {
      await Promise.all(Array.from({ length: count }, (_, i) => pool.spawn(i)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get modelId(): string {
    return this.init.modelId;
  }

  /** Runs one batch; input buffers are transferred to the instance (they are unusable after). */
  run(feeds: Record<string, TensorMessage>, fetch: string[]): Promise<RunOutputs> {
    const instance = this.instances.reduce((best, i) => (i.pending.size < best.pending.size ? i : best));
    const runId = this.nextRunId++;
    const transfer: ArrayBuffer[] = [];
    const sent: Record<string, TensorMessage> = {};
    for (const [name, t] of Object.entries(feeds)) {
      const whole = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength;
      const data = whole ? t.data : t.data.slice();
      sent[name] = { data, dims: t.dims };
      transfer.push(data.buffer as ArrayBuffer);
    }
    return new Promise((resolve, reject) => {
      instance.pending.set(runId, { resolve, reject });
      const req: RunRequest = { runId, feeds: sent, fetch };
      instance.thread.postMessage(req, transfer);
    });
  }

  private spawn(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const thread = new Worker(path.join(__dirname, 'session-thread.js'), { workerData: this.init });
      const instance: Instance = { index, thread, pending: new Map() };
      this.instances[index] = instance;
      let ready = false;
      thread.on('message', (event: SessionEvent) => {
        if (event.type === 'ready') {
          ready = true;
          resolve();
        } else if (event.type === 'init-failed') {
          reject(new Error(event.message));
          void thread.terminate();
        } else {
          const waiter = instance.pending.get(event.runId);
          if (!waiter) return;
          instance.pending.delete(event.runId);
          if (event.ok) waiter.resolve({ outputs: event.outputs, runMs: event.runMs });
          else waiter.reject(new Error(`model "${this.init.modelId}" run failed: ${event.message}`));
        }
      });
      thread.on('error', (err) => {
        this.log('error', 'model instance crashed', {
          model: this.init.modelId,
          instance: index,
          err: err.message,
        });
        if (!ready) reject(err);
      });
      thread.on('exit', (code) => {
        for (const waiter of instance.pending.values()) {
          waiter.reject(new Error(`model "${this.init.modelId}" instance ${index} exited (code ${code})`));
        }
        instance.pending.clear();
        if (ready && !this.closing) {
          this.log('warn', 'restarting model instance', { model: this.init.modelId, instance: index, code });
          this.spawn(index).catch((err: Error) => {
            // Without this instance the model would hang; ending the inference thread makes
            // the worker's main thread start everything again.
            this.log('error', 'model instance restart failed', {
              model: this.init.modelId,
              err: err.message,
            });
            process.exit(1);
          });
        }
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.instances.filter(Boolean).map((i) => i.thread.terminate()));
  }
}
