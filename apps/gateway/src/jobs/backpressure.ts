import { AppError, type Task } from '@argus/contracts';
import type { ArgusQueue } from '@argus/queue';

export interface BackpressureSettings {
  /** Waiting + prioritized jobs per queue above which new work is refused; 0 = unbounded. */
  maxDepth: number;
  /** Refuse while the job next in line has waited longer than this (ms); 0 = no bound. */
  maxWaitMs: number;
}

interface Reading {
  at: number;
  depth: number;
  headAgeMs: number;
}

/**
 * Refuses new jobs quickly (503 `overloaded` + Retry-After) when a queue is too deep or too
 * slow, instead of letting latency grow without bound. Readings are cached for 250 ms so a
 * burst of submits costs one look at Redis. Cache hits are still served: they need no worker.
 */
export class Backpressure {
  private readonly readings = new Map<Task, Reading>();

  constructor(
    private readonly queues: Record<Task, ArgusQueue>,
    private readonly settings: BackpressureSettings,
  ) {}

  async check(task: Task): Promise<void> {
    if (this.settings.maxDepth <= 0 && this.settings.maxWaitMs <= 0) return;
    const reading = await this.read(task);
    if (this.settings.maxDepth > 0 && reading.depth >= this.settings.maxDepth) {
      throw new AppError(
        'overloaded',
        `the ${task} queue holds ${reading.depth} waiting jobs (limit ${this.settings.maxDepth}); retry shortly`,
        undefined,
        5,
      );
    }
    if (this.settings.maxWaitMs > 0 && reading.headAgeMs > this.settings.maxWaitMs) {
      throw new AppError(
        'overloaded',
        `jobs in the ${task} queue wait ${Math.round(reading.headAgeMs / 1000)} s (limit ${this.settings.maxWaitMs / 1000} s); retry shortly`,
        undefined,
        Math.max(1, Math.ceil(this.settings.maxWaitMs / 2000)),
      );
    }
  }

  private async read(task: Task): Promise<Reading> {
    const cached = this.readings.get(task);
    if (cached && Date.now() - cached.at < 250) return cached;
    const queue = this.queues[task];
    const counts = await queue.getJobCounts('waiting', 'prioritized');
    let headAgeMs = 0;
    if (this.settings.maxWaitMs > 0) {
      // Every job carries a priority, so the line is the prioritized set (plus any plain waiters).
      const [head] = await queue.getJobs(['wait', 'prioritized'], 0, 0, true);
      headAgeMs = head ? Date.now() - head.timestamp : 0;
    }
    const reading = { at: Date.now(), depth: (counts.waiting ?? 0) + (counts.prioritized ?? 0), headAgeMs };
    this.readings.set(task, reading);
    return reading;
  }
}
