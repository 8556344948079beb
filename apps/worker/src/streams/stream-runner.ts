import type { StreamCreate } from '@argus/contracts';
import type { Logger } from '@argus/config';
import type { StreamStore } from '@argus/queue';
import { ByteTracker } from '@argus/vision';
import type { Inference } from '../inference/inference-protocol';
import { FfmpegProcess } from '../video/ffmpeg-process';
import { PngSplitter } from './png-splitter';

export interface StreamRunnerDeps {
  store: StreamStore;
  inference: Pick<Inference, 'detect'>;
  ffmpeg: string;
  eventsMax: number;
  /** The model a stream registered without one runs (the manifest's default detector). */
  defaultModel: string;
  log: Logger;
}

/** Reconnect delays: from the first to the longest, doubling. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** Connection attempts in a row without a frame before the stream is marked `failed`. */
const MAX_FAILED_ATTEMPTS = 20;

/**
 * One live stream on this worker: ffmpeg reads the source and writes PNG frames at the
 * stream's fps; only the newest frame waits for inference (older ones are counted as
 * dropped), so a slow model never falls behind live. When the source drops, it reconnects
 * with backoff. Each processed frame becomes an event with tracked boxes.
 */
export class StreamRunner {
  private readonly controller = new AbortController();
  private proc: FfmpegProcess | undefined;
  private readonly done: Promise<void>;
  private readonly tracker = new ByteTracker();
  private readonly metrics = { framesIn: 0, framesProcessed: 0, framesDropped: 0, reconnects: 0, lagMs: 0 };

  constructor(
    readonly id: string,
    private readonly spec: StreamCreate,
    private readonly deps: StreamRunnerDeps,
  ) {
    this.done = this.run().catch((err: Error) =>
      deps.log.error('stream runner crashed', { stream: id, err: err.message }),
    );
  }

  /** Stops at once: ffmpeg is killed; the loop ends. */
  async stop(): Promise<void> {
    this.controller.abort();
    this.proc?.kill();
    await this.done;
  }

  private get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  private async run(): Promise<void> {
    let backoff = BACKOFF_FIRST_MS;
    let failedAttempts = 0;
    await this.deps.store.report(this.id, { state: 'connecting' });
    while (!this.stopped) {
      const gotFrames = await this.connectOnce();
      if (this.stopped) break;
      failedAttempts = gotFrames ? 0 : failedAttempts + 1;
      if (gotFrames) backoff = BACKOFF_FIRST_MS;
      const reason = this.proc?.stderrTail(300) || 'the source ended';
      this.metrics.reconnects += 1;
      if (failedAttempts >= MAX_FAILED_ATTEMPTS) {
        await this.deps.store.report(this.id, { state: 'failed', reason, ...this.metrics });
        return;
      }
      await this.deps.store.report(this.id, { state: 'reconnecting', reason, ...this.metrics });
      this.deps.log.warn('stream source dropped; reconnecting', {
        stream: this.id,
        reason,
        backoffMs: backoff,
      });
      await sleep(backoff, this.controller.signal);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
  }

  /** One connection: resolves when ffmpeg exits, with whether any frame arrived. */
  private async connectOnce(): Promise<boolean> {
    const url = this.spec.url;
    const input = url.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : [];
    const proc = new FfmpegProcess(
      this.deps.ffmpeg,
      ['-nostdin', '-v', 'error', ...input, '-i', url, '-an', '-vf', `fps=${this.spec.fps}`].concat([
        '-f',
        'image2pipe',
        '-c:v',
        'png',
        '-compression_level',
        '0',
        'pipe:1',
      ]),
      { signal: this.controller.signal },
    );
    this.proc = proc;
    proc.child.stdin.end();
    let latest: { png: Buffer; at: number } | undefined;
    let wake: (() => void) | undefined;
    let ended = false;
    let frames = 0;
    const splitter = new PngSplitter();
    proc.child.stdout.on('data', (chunk: Buffer) => {
      for (const png of splitter.push(chunk)) {
        frames += 1;
        this.metrics.framesIn += 1;
        if (latest) this.metrics.framesDropped += 1;
        latest = { png, at: Date.now() };
        wake?.();
      }
    });
    void proc.exited.then(() => {
      ended = true;
      wake?.();
    });
    let live = false;
    while (!this.stopped) {
      if (!latest) {
        if (ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const frame = latest;
      latest = undefined;
      try {
        const model = this.spec.options.model ?? this.deps.defaultModel;
        const { result } = await this.deps.inference.detect(model, frame.png, {
          ...this.spec.options,
          overlay: false,
        });
        const ids = this.tracker.update(
          result.detections.map((d) => ({ ...d.box, score: d.confidence, classId: d.classId })),
        );
        const event = {
          seq: this.metrics.framesProcessed,
          capturedAt: frame.at,
          width: result.image.width,
          height: result.image.height,
          detections: result.detections.map((d, i) => ({ ...d, trackId: ids[i] })),
        };
        await this.deps.store.appendEvent(this.id, event, this.deps.eventsMax);
        this.metrics.framesProcessed += 1;
        this.metrics.lagMs = Date.now() - frame.at;
        await this.deps.store.report(
          this.id,
          live ? this.metrics : { state: 'live', reason: '', ...this.metrics },
        );
        live = true;
      } catch (err) {
        this.deps.log.warn('stream frame failed', { stream: this.id, err: (err as Error).message });
      }
    }
    proc.kill();
    await proc.exited;
    return frames > 0;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
