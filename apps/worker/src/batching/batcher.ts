/**
 * A model's dynamic batcher, after Triton's: inputs wait in a queue per key (inputs of
 * different shapes never share a run) until a batch can go. A batch goes when a model
 * instance is free and
 *
 * - its queue holds `maxBatchSize` inputs (the batch is full), or
 * - it holds one of `preferredBatchSizes` (the largest such size goes), or
 * - its oldest input has waited `maxQueueDelayMs` (whatever is there goes, up to the max).
 *
 * While every instance is busy, inputs keep queueing, so under load batches fill on their
 * own and the delay only matters when the model is idle. When several instances are free,
 * the waiting inputs are spread over them. The batcher is pure logic: the
 * executor runs a batch, the clock is injected, so tests drive it without threads or time.
 */

/** Options of one batcher. */
export interface BatcherOptions {
  /** The most inputs one run takes. At least 1; 1 turns batching off. */
  maxBatchSize: number;
  /** How long the oldest input may wait for a fuller batch, in ms. 0: run what is there at once. */
  maxQueueDelayMs: number;
  /** Sizes that go as soon as they can be formed (each ≤ maxBatchSize). Default: none. */
  preferredBatchSizes?: readonly number[];
  /** Batches running at once: the model's instances. Default 1. */
  maxInFlight?: number;
  /**
   * When a run of several inputs fails as a whole, run each input alone, so one input the
   * model cannot take fails alone instead of taking the others with it. Default true.
   */
  isolateFailures?: boolean;
}

/** The run an input went out in. */
export interface BatchInfo {
  /** Sequence number of the run, per batcher. */
  id: number;
  /** Inputs in the run. */
  size: number;
  /** From `submit` to the run starting, in ms. */
  waitMs: number;
  /** The run, in ms (shared by its inputs). */
  runMs: number;
}

export interface Batched<Out> {
  output: Out;
  batch: BatchInfo;
}

/**
 * Runs one batch: one result per input, in order. An `Error` in a slot fails that input
 * alone; a rejection fails the batch (see `isolateFailures`).
 */
export type BatchExecutor<In, Out> = (inputs: In[], key: string) => Promise<Array<Out | Error>>;

/** Time and timers, injected so tests can drive the batcher by hand. */
export interface BatcherClock {
  now(): number;
  /** Calls `fn` after `ms` (0: on the next turn of the event loop, after pending I/O callbacks). */
  schedule(ms: number, fn: () => void): unknown;
  cancel(handle: unknown): void;
}

export const realClock: BatcherClock = {
  now: () => performance.now(),
  schedule: (ms, fn) => (ms <= 0 ? { immediate: setImmediate(fn) } : { timeout: setTimeout(fn, ms) }),
  cancel: (handle) => {
    const h = handle as { immediate?: NodeJS.Immediate; timeout?: NodeJS.Timeout };
    if (h.immediate) clearImmediate(h.immediate);
    if (h.timeout) clearTimeout(h.timeout);
  },
};

interface Waiting<In, Out> {
  input: In;
  enqueuedAt: number;
  resolve(value: Batched<Out>): void;
  reject(err: Error): void;
}

export class Batcher<In, Out> {
  private readonly queues = new Map<string, Waiting<In, Out>[]>();
  private readonly preferred: number[];
  private readonly maxInFlight: number;
  private inFlight = 0;
  private nextBatchId = 1;
  private timer: { handle: unknown; at: number } | undefined;
  private closed = false;

  constructor(
    private readonly opts: BatcherOptions,
    private readonly execute: BatchExecutor<In, Out>,
    private readonly clock: BatcherClock = realClock,
  ) {
    if (!Number.isInteger(opts.maxBatchSize) || opts.maxBatchSize < 1) {
      throw new RangeError(`maxBatchSize must be a whole number ≥ 1, got ${opts.maxBatchSize}`);
    }
    if (!(opts.maxQueueDelayMs >= 0)) throw new RangeError(`maxQueueDelayMs must be ≥ 0`);
    this.preferred = [...new Set(opts.preferredBatchSizes ?? [])].sort((a, b) => b - a);
    const bad = this.preferred.find((n) => !Number.isInteger(n) || n < 1 || n > opts.maxBatchSize);
    if (bad !== undefined) {
      throw new RangeError(
        `preferred batch size ${bad} is not between 1 and maxBatchSize ${opts.maxBatchSize}`,
      );
    }
    this.maxInFlight = opts.maxInFlight ?? 1;
  }

  /** Inputs waiting for a run. */
  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Batches running now. */
  get running(): number {
    return this.inFlight;
  }

  /** Queues one input; resolves with its own output once its batch has run. */
  submit(input: In, key = ''): Promise<Batched<Out>> {
    if (this.closed) return Promise.reject(new Error('the batcher is closed'));
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      if (queue.length === 0) this.queues.set(key, queue);
      queue.push({ input, enqueuedAt: this.clock.now(), resolve, reject });
      // Not at once: inputs that become ready in the same turn of the event loop share a batch.
      this.wakeAt(this.clock.now());
    });
  }

  /** Fails every queued input (running batches finish) and refuses new ones. */
  close(reason = 'the batcher is closed'): void {
    this.closed = true;
    if (this.timer) this.clock.cancel(this.timer.handle);
    this.timer = undefined;
    for (const queue of this.queues.values()) for (const w of queue.splice(0)) w.reject(new Error(reason));
    this.queues.clear();
  }

  /** Starts every batch that may go now, then sets the timer for the next deadline. */
  private pump(): void {
    this.timer = undefined;
    const now = this.clock.now();
    while (this.inFlight < this.maxInFlight) {
      const picked = this.pick(now, this.maxInFlight - this.inFlight);
      if (!picked) break;
      void this.run(picked.key, picked.items);
    }
    if (this.inFlight < this.maxInFlight) {
      const deadline = this.nextDeadline();
      if (deadline !== undefined) this.wakeAt(deadline);
    }
  }

  /** Schedules `pump` at `at` (or keeps an earlier wake-up). */
  private wakeAt(at: number): void {
    if (this.closed) return;
    if (this.timer && this.timer.at <= at) return;
    if (this.timer) this.clock.cancel(this.timer.handle);
    const ms = Math.max(0, at - this.clock.now());
    this.timer = { at, handle: this.clock.schedule(ms, () => this.pump()) };
  }

  /**
   * The batch that may go now: oldest queue first, among those that are ready. When several
   * instances are free and no preferred sizes are set, what waits is spread over them rather
   * than all sent to one while the others idle (on a CPU an image costs the same in any batch,
   * so parallel instances finish sooner).
   */
  private pick(now: number, freeInstances: number): { key: string; items: Waiting<In, Out>[] } | undefined {
    const keys = [...this.queues.entries()]
      .filter(([, q]) => q.length > 0)
      .sort((a, b) => a[1][0].enqueuedAt - b[1][0].enqueuedAt);
    for (const [key, queue] of keys) {
      let size = this.readySize(queue, now);
      if (size > 0 && freeInstances > 1 && this.preferred.length === 0) {
        size = Math.min(size, Math.ceil(queue.length / freeInstances));
      }
      if (size > 0) {
        const items = queue.splice(0, size);
        if (queue.length === 0) this.queues.delete(key);
        return { key, items };
      }
    }
    return undefined;
  }

  /** How many of `queue` go now (0: keep waiting). */
  private readySize(queue: readonly Waiting<In, Out>[], now: number): number {
    const max = this.opts.maxBatchSize;
    if (queue.length >= max) return max;
    const preferred = this.preferred.find((n) => n <= queue.length);
    if (preferred !== undefined) return preferred;
    if (now - queue[0].enqueuedAt >= this.opts.maxQueueDelayMs) return queue.length;
    return 0;
  }

  private nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const queue of this.queues.values()) {
      if (queue.length === 0) continue;
      const at = queue[0].enqueuedAt + this.opts.maxQueueDelayMs;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  private async run(key: string, items: Waiting<In, Out>[]): Promise<void> {
    this.inFlight++;
    try {
      const settled = await this.attempt(key, items);
      if (settled || items.length === 1 || this.opts.isolateFailures === false) return;
      // The run failed as a whole: find out which input it was by running each alone.
      for (const item of items) await this.attempt(key, [item]);
    } finally {
      this.inFlight--;
      this.wakeAt(this.clock.now());
    }
  }

  /**
   * Runs `items` as one batch and settles them. Returns false, settling nothing, when the
   * run of several inputs failed as a whole and they should be retried alone.
   */
  private async attempt(key: string, items: Waiting<In, Out>[]): Promise<boolean> {
    const id = this.nextBatchId++;
    const started = this.clock.now();
    let results: Array<Out | Error>;
    try {
      results = await this.execute(
        items.map((w) => w.input),
        key,
      );
      if (results.length !== items.length) {
        throw new Error(`the batch of ${items.length} returned ${results.length} results`);
      }
    } catch (err) {
      if (items.length > 1 && this.opts.isolateFailures !== false) return false;
      const error = err instanceof Error ? err : new Error(String(err));
      for (const w of items) w.reject(error);
      return true;
    }
    const runMs = this.clock.now() - started;
    items.forEach((w, i) => {
      const result = results[i];
      if (result instanceof Error) w.reject(result);
      else
        w.resolve({
          output: result,
          batch: { id, size: items.length, waitMs: started - w.enqueuedAt, runMs },
        });
    });
    return true;
  }
}
