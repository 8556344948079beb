import type { QueueEvents } from 'bullmq';
import { AppError, type Task } from '@argus/contracts';
import type { JobProgress } from './job-view';

/** What a waiter hears about its job. `ended` means "read the job again": it may have ended. */
export type WaitSignal =
  | { kind: 'progress'; progress: JobProgress }
  | { kind: 'ended' }
  /** The gateway is shutting down: answer now with what is known. */
  | { kind: 'closing' };

export interface JobWaitersOptions {
  /** Concurrent waiters (long-polls, event streams, `Prefer: wait`) per gateway process. */
  maxWaiters: number;
}

/**
 * One waiter's view of the hub: signals queue up until `next()` takes them, so a signal
 * that arrives between two reads of the job is never lost.
 */
export class Waiter {
  private readonly pending: WaitSignal[] = [];
  private wake?: () => void;
  closed = false;

  constructor(private readonly release: () => void) {}

  /** @internal called by the hub. */
  deliver(signal: WaitSignal): void {
    this.pending.push(signal);
    this.wake?.();
  }

  /** The next signal, or `timeout` once `deadline` (epoch ms) passes, or `aborted`. */
  async next(deadline: number, abort?: AbortSignal): Promise<WaitSignal | { kind: 'timeout' | 'aborted' }> {
    for (;;) {
      const signal = this.pending.shift();
      if (signal) return signal;
      if (abort?.aborted) return { kind: 'aborted' };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          abort?.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, left);
        abort?.addEventListener('abort', done, { once: true });
        this.wake = done;
      });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }
}

/**
 * Fans job events out to the clients waiting on them. The gateway already holds one
 * BullMQ QueueEvents subscription per task (a single blocking stream read each); this hub
 * listens to those and hands each event to the in-memory waiters of that job. So a waiter
 * costs a map entry, never a Redis connection or a poll, and the number of waiters is
 * bounded: past `maxWaiters` a new one is refused with 503 and Retry-After.
 */
export class JobWaiters {
  private readonly byJob = new Map<string, Set<Waiter>>();
  private count = 0;
  private closing = false;

  constructor(
    events: Record<Task, QueueEvents>,
    private readonly options: JobWaitersOptions,
  ) {
    for (const qe of Object.values(events)) {
      // `failed` also fires for an attempt that will be retried; waiters re-read the job
      // and keep waiting when it has not really ended.
      qe.on('completed', ({ jobId }) => this.emit(jobId, { kind: 'ended' }));
      qe.on('failed', ({ jobId }) => this.emit(jobId, { kind: 'ended' }));
      // A queued job canceled on request is removed from its queue.
      qe.on('removed', ({ jobId }) => this.emit(jobId, { kind: 'ended' }));
      qe.on('progress', ({ jobId, data }) => {
        const progress = progressOf(data);
        if (progress) this.emit(jobId, { kind: 'progress', progress });
      });
    }
  }

  get size(): number {
    return this.count;
  }

  /** Registers a waiter on `jobId`; refuses with 503 past the bound or while shutting down. */
  subscribe(jobId: string): Waiter {
    if (this.closing) {
      throw new AppError('unavailable', 'the gateway is shutting down; retry on another instance', 503, 1);
    }
    if (this.count >= this.options.maxWaiters) {
      throw new AppError(
        'unavailable',
        `too many clients are waiting on jobs here (${this.options.maxWaiters}); retry shortly`,
        503,
        1,
      );
    }
    const set = this.byJob.get(jobId) ?? new Set<Waiter>();
    this.byJob.set(jobId, set);
    const waiter: Waiter = new Waiter(() => {
      this.count -= 1;
      set.delete(waiter);
      if (set.size === 0 && this.byJob.get(jobId) === set) this.byJob.delete(jobId);
    });
    set.add(waiter);
    this.count += 1;
    return waiter;
  }

  /** Shutdown: every waiter answers now with what it knows; new waiters are refused. */
  close(): void {
    this.closing = true;
    for (const set of this.byJob.values()) for (const w of set) w.deliver({ kind: 'closing' });
  }

  private emit(jobId: string, signal: WaitSignal): void {
    const set = this.byJob.get(jobId);
    if (set) for (const w of set) w.deliver(signal);
  }
}

function progressOf(data: unknown): JobProgress | null {
  if (!data || typeof data !== 'object' || !('stage' in data) || !('percent' in data)) return null;
  const p = data as JobProgress;
  return { stage: String(p.stage), percent: Number(p.percent) };
}
