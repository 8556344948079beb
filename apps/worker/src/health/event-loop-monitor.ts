import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop delay of the worker's main thread over one window: ms late beyond the sampling interval. */
export interface EventLoopWindow {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Length of the window. */
  windowMs: number;
  /** When it ended (epoch ms). */
  endedAt: number;
}

/**
 * Measures how late the main thread's timers fire. BullMQ renews job locks from timers on
 * this loop, so a p99 in the tens of ms is healthy and one near LOCK_DURATION_MS means
 * jobs are about to stall. Each `take()` returns the window since the previous one; the
 * worker puts it in its heartbeat, where the fleet view and the benchmark read it.
 */
export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;
  private since = performance.now();

  /** `resolutionMs`: the sampling timer's interval; it is subtracted, so an idle loop reads ~0. */
  constructor(private readonly resolutionMs = 5) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  take(): EventLoopWindow {
    const h = this.histogram;
    const ms = (ns: number) =>
      Math.round(Math.max(0, (Number.isFinite(ns) ? ns : 0) / 1e6 - this.resolutionMs) * 100) / 100;
    const now = performance.now();
    const window: EventLoopWindow = {
      p50Ms: h.count ? ms(h.percentile(50)) : 0,
      p99Ms: h.count ? ms(h.percentile(99)) : 0,
      maxMs: h.count ? ms(h.max) : 0,
      windowMs: Math.round(now - this.since),
      endedAt: Date.now(),
    };
    h.reset();
    this.since = now;
    return window;
  }

  stop(): void {
    this.histogram.disable();
  }
}
