/**
 * Request/response over a worker thread, both sides: the parent's `RpcThread` (spawn, wait
 * for ready, a pending map by id, restart after a crash) and the thread's `serveRpc`.
 * Buffers named in `transfer` move between threads without a copy.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';

export type LogLevel = 'info' | 'warn' | 'error';
export type ThreadLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** An error as it crosses the thread boundary: its code (when it has one) and message. */
export interface WireError {
  code?: string;
  message: string;
}

type FromThread<Ready, Res> =
  | { type: 'ready'; info: Ready }
  | { type: 'init-failed'; message: string }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> }
  | { type: 'response'; id: number; ok: true; value: Res }
  | { type: 'response'; id: number; ok: false; error: WireError };

interface ToThread<Req> {
  id: number;
  request: Req;
}

export interface RpcThreadOptions<Ready> {
  /** For log lines and errors: "inference thread". */
  name: string;
  log: ThreadLog;
  /** Turns a failed response into the error the caller sees. */
  toError(error: WireError): Error;
  /** Called with the thread's ready message, at start and after each restart. */
  onReady?(info: Ready): void;
}

/**
 * The parent's handle on one thread. If the thread dies, its pending requests fail (the
 * job is retried by BullMQ) and a new thread is started, so one crash costs a retry, not
 * the worker; if the new one cannot start, the process exits and its supervisor restarts it.
 */
export class RpcThread<Req, Res, Ready> {
  private thread!: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: Res): void; reject(e: Error): void }>();
  private closing = false;

  private constructor(
    private readonly script: string,
    private readonly data: unknown,
    private readonly opts: RpcThreadOptions<Ready>,
  ) {}

  /** Starts the thread and resolves once it says ready (rejects with why it could not start). */
  static async start<Req, Res, Ready>(
    script: string,
    data: unknown,
    opts: RpcThreadOptions<Ready>,
  ): Promise<RpcThread<Req, Res, Ready>> {
    const rpc = new RpcThread<Req, Res, Ready>(script, data, opts);
    await rpc.spawn();
    return rpc;
  }

  /** Requests sent and not yet answered (for picking the least busy thread). */
  get inFlight(): number {
    return this.pending.size;
  }

  request(request: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToThread<Req> = { id, request };
      this.thread.postMessage(message, transfer);
    });
  }

  private spawn(): Promise<void> {
    const { name, log } = this.opts;
    return new Promise((resolve, reject) => {
      const thread = new Worker(this.script, { workerData: this.data });
      this.thread = thread;
      let ready = false;
      thread.on('message', (event: FromThread<Ready, Res>) => {
        if (event.type === 'ready') {
          ready = true;
          this.opts.onReady?.(event.info);
          resolve();
        } else if (event.type === 'init-failed') {
          reject(new Error(event.message));
          void thread.terminate();
        } else if (event.type === 'log') {
          log(event.level, event.message, event.fields);
        } else {
          const waiter = this.pending.get(event.id);
          if (!waiter) return;
          this.pending.delete(event.id);
          if (event.ok) waiter.resolve(event.value);
          else waiter.reject(this.opts.toError(event.error));
        }
      });
      thread.on('error', (err) => {
        log('error', `${name} crashed`, { err: err.message });
        if (!ready) reject(err);
      });
      thread.on('exit', (code) => {
        for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (code ${code})`));
        this.pending.clear();
        if (ready && !this.closing) {
          log('warn', `restarting ${name}`, { code });
          this.spawn().catch((err: Error) => {
            log('error', `${name} could not restart; exiting`, { err: err.message });
            process.exit(1);
          });
        }
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.thread.terminate();
  }
}

/** What a thread's setup returns: its ready message and how it answers a request. */
export interface RpcService<Req, Res, Ready> {
  ready: Ready;
  handle(request: Req): Promise<{ value: Res; transfer?: ArrayBuffer[] }>;
}

/**
 * The thread's side: runs `setup` (with the thread's workerData and a log that reaches the
 * parent's logger), says ready or init-failed, then answers each request as it comes.
 * Requests run concurrently; `toWire` turns a thrown error into what the parent receives.
 */
export function serveRpc<Init, Req, Res, Ready>(
  setup: (init: Init, log: ThreadLog) => Promise<RpcService<Req, Res, Ready>>,
  toWire: (err: unknown) => WireError,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveRpc must run in a worker thread');
  const post = (event: FromThread<Ready, Res>, transfer: ArrayBuffer[] = []) =>
    port.postMessage(event, transfer);
  const log: ThreadLog = (level, message, fields) => post({ type: 'log', level, message, fields });
  setup(workerData as Init, log).then(
    (service) => {
      port.on('message', ({ id, request }: ToThread<Req>) => {
        service.handle(request).then(
          ({ value, transfer }) => post({ type: 'response', id, ok: true, value }, transfer),
          (err: unknown) => post({ type: 'response', id, ok: false, error: toWire(err) }),
        );
      });
      post({ type: 'ready', info: service.ready });
    },
    (err: Error) => post({ type: 'init-failed', message: err.message }),
  );
}
