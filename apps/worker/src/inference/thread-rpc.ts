/**
 * Request/response over a worker thread, both sides: the parent's `RpcThread` (spawn, wait
 * for ready, a pending map by id, restart after a crash) and the thread's `serveRpc`. A
 * thread may also call its parent (`call`), which answers through `onCall`: how a parse
 * thread reaches the detect lane's person detector. Buffers named in `transfer` move
 * between threads without a copy.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';

export type LogLevel = 'info' | 'warn' | 'error';
export type ThreadLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** An error as it crosses the thread boundary: its code (when it has one) and message. */
export interface WireError {
  code?: string;
  message: string;
}

/** An answer and the buffers it hands over. */
export interface Answer<T> {
  value: T;
  transfer?: ArrayBuffer[];
}

type Reply<T> = { id: number; ok: true; value: T } | { id: number; ok: false; error: WireError };

type FromThread<Ready, Res, Call> =
  | { type: 'ready'; info: Ready }
  | { type: 'init-failed'; message: string }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> }
  | ({ type: 'response' } & Reply<Res>)
  | { type: 'call'; id: number; request: Call };

type ToThread<Req, CallRes> =
  { type: 'request'; id: number; request: Req } | ({ type: 'reply' } & Reply<CallRes>);

export interface RpcThreadOptions<Ready, Call, CallRes> {
  /** For log lines and errors: "inference thread". */
  name: string;
  log: ThreadLog;
  /** Turns a failed response into the error the caller sees. */
  toError: (error: WireError) => Error;
  /** Called with the thread's ready message, at start and after each restart. */
  onReady?: (info: Ready) => void;
  /** Answers the thread's own calls. */
  onCall?: (request: Call) => Promise<Answer<CallRes>>;
}

/** Pending requests by id: settle by a reply, or fail them all when the other side goes. */
class Pending<T> {
  private nextId = 1;
  private readonly waiters = new Map<number, { resolve(r: T): void; reject(e: Error): void }>();

  get size(): number {
    return this.waiters.size;
  }

  add(send: (id: number) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      send(id);
    });
  }

  settle(reply: Reply<T>, toError: (e: WireError) => Error): void {
    const waiter = this.waiters.get(reply.id);
    if (!waiter) return;
    this.waiters.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(toError(reply.error));
  }

  failAll(reason: string): void {
    for (const waiter of this.waiters.values()) waiter.reject(new Error(reason));
    this.waiters.clear();
  }
}

/** A thrown error as the wire carries it. */
function wireOf(err: unknown): WireError {
  const code = (err as { code?: unknown }).code;
  return { ...(typeof code === 'string' ? { code } : {}), message: (err as Error).message ?? String(err) };
}

/**
 * The parent's handle on one thread. If the thread dies, its pending requests fail (the
 * job is retried by BullMQ) and a new thread is started, so one crash costs a retry, not
 * the worker; if the new one cannot start, the process exits and its supervisor restarts it.
 */
export class RpcThread<Req, Res, Ready, Call = never, CallRes = never> {
  private thread!: Worker;
  private readonly pending = new Pending<Res>();
  private closing = false;

  private constructor(
    private readonly script: string,
    private readonly data: unknown,
    private readonly opts: RpcThreadOptions<Ready, Call, CallRes>,
  ) {}

  /** Starts the thread and resolves once it says ready (rejects with why it could not start). */
  static async start<Req, Res, Ready, Call = never, CallRes = never>(
    script: string,
    data: unknown,
    opts: RpcThreadOptions<Ready, Call, CallRes>,
  ): Promise<RpcThread<Req, Res, Ready, Call, CallRes>> {
    const rpc = new RpcThread<Req, Res, Ready, Call, CallRes>(script, data, opts);
    await rpc.spawn();
    return rpc;
  }

  /** Requests sent and not yet answered (for picking the least busy thread). */
  get inFlight(): number {
    return this.pending.size;
  }

  request(request: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    return this.pending.add((id) => {
      const message: ToThread<Req, CallRes> = { type: 'request', id, request };
      this.thread.postMessage(message, transfer);
    });
  }

  private answer(thread: Worker, id: number, request: Call): void {
    const reply = (message: ToThread<Req, CallRes>, transfer: ArrayBuffer[] = []) => {
      if (this.thread === thread) thread.postMessage(message, transfer);
    };
    const handler = this.opts.onCall;
    if (!handler) {
      reply({ type: 'reply', id, ok: false, error: { message: 'the parent takes no calls' } });
      return;
    }
    handler(request).then(
      ({ value, transfer }) => reply({ type: 'reply', id, ok: true, value }, transfer),
      (err: unknown) => reply({ type: 'reply', id, ok: false, error: wireOf(err) }),
    );
  }

  private spawn(): Promise<void> {
    const { name, log } = this.opts;
    return new Promise((resolve, reject) => {
      const thread = new Worker(this.script, { workerData: this.data });
      this.thread = thread;
      let ready = false;
      thread.on('message', (event: FromThread<Ready, Res, Call>) => {
        if (event.type === 'ready') {
          ready = true;
          this.opts.onReady?.(event.info);
          resolve();
        } else if (event.type === 'init-failed') {
          reject(new Error(event.message));
          void thread.terminate();
        } else if (event.type === 'log') {
          log(event.level, event.message, event.fields);
        } else if (event.type === 'call') {
          this.answer(thread, event.id, event.request);
        } else {
          this.pending.settle(event, this.opts.toError);
        }
      });
      thread.on('error', (err) => {
        log('error', `${name} crashed`, { err: err.message });
        if (!ready) reject(err);
      });
      thread.on('exit', (code) => {
        this.pending.failAll(`${name} exited (code ${code})`);
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
  handle(request: Req): Promise<Answer<Res>>;
}

/** A thread's call to its parent (`RpcThreadOptions.onCall` answers it). */
export type ParentCall<Call, CallRes> = (request: Call, transfer?: ArrayBuffer[]) => Promise<CallRes>;

/**
 * The thread's side: runs `setup` (with the thread's workerData, a log that reaches the
 * parent's logger and a way to call the parent), says ready or init-failed, then answers
 * each request as it comes. Requests run concurrently; `toWire` turns a thrown error into
 * what the parent receives.
 */
export function serveRpc<Init, Req, Res, Ready, Call = never, CallRes = never>(
  setup: (
    init: Init,
    log: ThreadLog,
    call: ParentCall<Call, CallRes>,
  ) => Promise<RpcService<Req, Res, Ready>>,
  toWire: (err: unknown) => WireError,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveRpc must run in a worker thread');
  const post = (event: FromThread<Ready, Res, Call>, transfer: ArrayBuffer[] = []) =>
    port.postMessage(event, transfer);
  const log: ThreadLog = (level, message, fields) => post({ type: 'log', level, message, fields });
  const calls = new Pending<CallRes>();
  const call: ParentCall<Call, CallRes> = (request, transfer = []) =>
    calls.add((id) => post({ type: 'call', id, request }, transfer));
  const toError = (e: WireError) => Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
  setup(workerData as Init, log, call).then(
    (service) => {
      port.on('message', (message: ToThread<Req, CallRes>) => {
        if (message.type === 'reply') {
          calls.settle(message, toError);
          return;
        }
        const { id } = message;
        service.handle(message.request).then(
          ({ value, transfer }) => post({ type: 'response', id, ok: true, value }, transfer),
          (err: unknown) => post({ type: 'response', id, ok: false, error: toWire(err) }),
        );
      });
      post({ type: 'ready', info: service.ready });
    },
    (err: Error) => post({ type: 'init-failed', message: err.message }),
  );
}
