import { Counter, Gauge, type Registry } from 'prom-client';

/** The window input and processed frame rates are measured over. */
export const STREAM_FPS_WINDOW_MS = 10_000;

/**
 * Per-stream series of the worker that holds a stream, labelled `stream=<id>` (plus the
 * registry's `worker`). Cardinality is bounded by STREAMS_PER_WORKER per worker: a stream's
 * series are removed when this worker stops it (deleted, taken over, shutdown), and a dead
 * worker's snapshot expires. Rates over a scrape interval come from the counters
 * (`rate(argus_stream_frames_in_total[1m])`); the fps gauges give the last 10 s at a glance.
 */
export class StreamMetrics {
  private readonly framesIn: Counter<'stream'>;
  private readonly framesProcessed: Counter<'stream'>;
  private readonly framesDropped: Counter<'stream'>;
  private readonly reconnects: Counter<'stream'>;
  private readonly lag: Gauge<'stream'>;
  /** Arrival and processing times in the fps window, per stream. */
  private readonly recent = new Map<string, { since: number; in: number[]; processed: number[] }>();

  constructor(
    registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    const registers = [registry];
    const labelNames = ['stream'] as const;
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers });
    this.framesIn = counter(
      'argus_stream_frames_in_total',
      'Frames ffmpeg delivered from a live stream (at its sampling rate), by stream id.',
    );
    this.framesProcessed = counter(
      'argus_stream_frames_processed_total',
      'Frames of a live stream that went through the model and became events, by stream id.',
    );
    this.framesDropped = counter(
      'argus_stream_frames_dropped_total',
      'Frames of a live stream replaced by a newer one before inference reached them, by stream id.',
    );
    this.reconnects = counter(
      'argus_stream_reconnects_total',
      'Times a live stream source dropped and was reconnected, by stream id.',
    );
    this.lag = new Gauge({
      name: 'argus_stream_lag_seconds',
      help: 'Frame arrival to its event being stored, for the last processed frame, by stream id.',
      labelNames,
      registers,
    });
    const fpsGauge = (name: string, help: string, pick: 'in' | 'processed') => {
      const gauge: Gauge<'stream'> = new Gauge({
        name,
        help,
        labelNames,
        registers,
        // Computed when scraped (or pushed), from the arrival times in the window.
        collect: () => {
          gauge.reset();
          for (const [stream, times] of this.recent)
            gauge.set({ stream }, this.fps(times[pick], times.since));
        },
      });
    };
    fpsGauge(
      'argus_stream_input_fps',
      'Frames per second delivered from a live stream over the last 10 s, by stream id.',
      'in',
    );
    fpsGauge(
      'argus_stream_processed_fps',
      'Frames per second of a live stream processed over the last 10 s, by stream id.',
      'processed',
    );
  }

  /** The stream is held here: its series start at 0, so a scrape shows it before its first frame. */
  begin(stream: string): void {
    this.recent.set(stream, { since: this.now(), in: [], processed: [] });
    for (const c of [this.framesIn, this.framesProcessed, this.framesDropped, this.reconnects])
      c.inc({ stream }, 0);
  }

  frameIn(stream: string, dropped: boolean): void {
    this.framesIn.inc({ stream });
    if (dropped) this.framesDropped.inc({ stream });
    this.window(stream)?.in.push(this.now());
  }

  processed(stream: string, lagMs: number): void {
    this.framesProcessed.inc({ stream });
    this.lag.set({ stream }, lagMs / 1000);
    this.window(stream)?.processed.push(this.now());
  }

  reconnect(stream: string): void {
    this.reconnects.inc({ stream });
  }

  /** The stream left this worker: its series go. */
  end(stream: string): void {
    this.recent.delete(stream);
    for (const m of [this.framesIn, this.framesProcessed, this.framesDropped, this.reconnects, this.lag])
      m.remove({ stream });
  }

  private window(stream: string) {
    const w = this.recent.get(stream);
    if (!w) return undefined;
    const since = this.now() - STREAM_FPS_WINDOW_MS;
    for (const list of [w.in, w.processed]) while (list.length > 0 && list[0] < since) list.shift();
    return w;
  }

  /** Frames per second in the window, or since the stream came here when that is shorter. */
  private fps(times: number[], since: number): number {
    const now = this.now();
    const from = Math.max(now - STREAM_FPS_WINDOW_MS, since);
    const count = times.filter((t) => t >= from).length;
    return now > from ? count / ((now - from) / 1000) : 0;
  }
}
