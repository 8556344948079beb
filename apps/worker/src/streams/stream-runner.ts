import sharp from 'sharp';
import type { StreamCreate, StreamFrameEvent } from '@argus/contracts';
import type { Logger } from '@argus/config';
import type { StreamMetrics } from '@argus/metrics';
import { redactUrl, type StreamStore, type StreamWebhooks } from '@argus/queue';
import { ByteTracker } from '@argus/vision';
import type { Inference } from '../inference/inference-protocol';
import { FfmpegProcess } from '../video/ffmpeg-process';
import { frameAnalyzer } from '../video/frame-analyzers';
import type { FrameAnalysis } from '../video/video-detect';
import { PngSplitter, pngSize } from './png-splitter';
import { TrackLifecycle, type TrackChange } from './track-lifecycle';

export interface StreamRunnerDeps {
  store: StreamStore;
  inference: Pick<Inference, 'detect' | 'parse'>;
  ffmpeg: string;
  eventsMax: number;
  /** Prometheus series per stream (pushed with the worker's snapshot). */
  metrics?: StreamMetrics;
  /** Track begin/end webhooks of streams registered with a callbackUrl. */
  webhooks?: Pick<StreamWebhooks, 'send'>;
  /** The model a stream registered without one runs, by task (the manifest's defaults). */
  defaultModels: Partial<Record<StreamCreate['task'], string>>;
  log: Logger;
}

/** Reconnect delays: from the first to the longest, doubling. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** Connection attempts in a row without a frame before the stream is marked `failed`. */
const MAX_FAILED_ATTEMPTS = 20;
/** A track unseen this long (in frames at the stream's fps) ends: live viewers think in seconds. */
const TRACK_END_SECONDS = 2;
/** The latest frame outlives its stream's last processed frame this long (viewers, WebUI). */
const FRAME_TTL_MS = 60_000;

/**
 * One live stream on this worker (detect or parse, with the video jobs' per-frame model
 * call): ffmpeg reads the source and writes PNG frames at the stream's fps; only the newest
 * frame waits for inference (older ones are counted as dropped), so a slow model never
 * falls behind live. When the source drops, it reconnects with backoff. Each processed frame
 * becomes an event with tracked boxes (and parsed people), the latest frame is kept as JPEG
 * for viewers, and track begins and ends go to the stream's webhooks.
 */
export class StreamRunner {
  private readonly controller = new AbortController();
  private proc: FfmpegProcess | undefined;
  private readonly done: Promise<void>;
  private tracker: ByteTracker;
  private readonly tracks = new TrackLifecycle();
  /** The frame's model call: detect or parse, as for a video job's frames. */
  private readonly analyze: (png: Buffer) => Promise<FrameAnalysis>;
  private readonly metrics = { framesIn: 0, framesProcessed: 0, framesDropped: 0, reconnects: 0, lagMs: 0 };

  constructor(
    readonly id: string,
    private readonly spec: StreamCreate,
    private readonly deps: StreamRunnerDeps,
  ) {
    deps.metrics?.begin(id);
    this.tracker = new ByteTracker(this.trackerOptions());
    const modelId = spec.options.model ?? deps.defaultModels[spec.task] ?? '';
    this.analyze = frameAnalyzer({ task: spec.task, modelId, options: spec.options }, deps.inference);
    this.done = this.run().catch((err: Error) =>
      deps.log.error('stream runner crashed', { stream: id, err: err.message }),
    );
  }

  /** Stops at once: ffmpeg is killed; the loop ends. */
  async stop(): Promise<void> {
    this.controller.abort();
    this.proc?.kill();
    await this.done;
    this.deps.metrics?.end(this.id);
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
      // The scene after a reconnect is another scene: open tracks end, and new ones get new
      // ids (never reused on this stream while this worker holds it).
      await this.notify(this.tracks.endAll());
      this.tracker = new ByteTracker(this.trackerOptions(), {
        frame: 0,
        nextId: this.tracker.snapshot().nextId,
        tracks: [],
      });
      this.metrics.reconnects += 1;
      this.deps.metrics?.reconnect(this.id);
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
    const input = url.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : mjpegInput(url);
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
        this.deps.metrics?.frameIn(this.id, latest !== undefined);
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
        const { detections, persons } = await this.analyze(frame.png);
        const ids = this.tracker.update(
          detections.map((d) => ({ ...d.box, score: d.confidence, classId: d.classId })),
        );
        const event: StreamFrameEvent = {
          seq: this.metrics.framesProcessed,
          capturedAt: frame.at,
          ...pngSize(frame.png),
          detections: detections.map((d, i) => ({ ...d, trackId: ids[i] })),
          ...(persons ? { persons: persons.map((p, i) => ({ trackId: ids[i], ...p })) } : {}),
        };
        // The frame first: a viewer that hears of event N finds frame N (or a newer one).
        const jpeg = await sharp(frame.png).jpeg({ quality: 75 }).toBuffer();
        await this.deps.store.putFrame(this.id, event.seq, jpeg, FRAME_TTL_MS);
        await this.deps.store.appendEvent(this.id, event, this.deps.eventsMax);
        const alive = new Set(this.tracker.tracks.map((t) => t.id).filter((t) => t > 0));
        await this.notify(this.tracks.observe(frame.at, event.detections, alive));
        this.metrics.framesProcessed += 1;
        this.metrics.lagMs = Date.now() - frame.at;
        this.deps.metrics?.processed(this.id, this.metrics.lagMs);
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

  private trackerOptions() {
    return { trackBuffer: Math.max(3, Math.ceil(this.spec.fps * TRACK_END_SECONDS)) };
  }

  /** Sends track webhooks; a failure to queue one is logged, never stops the stream. */
  private async notify(changes: TrackChange[]): Promise<void> {
    const url = this.spec.callbackUrl;
    if (!url || !this.deps.webhooks) return;
    for (const change of changes) {
      await this.deps.webhooks
        .send(this.id, url, { ...change, stream: { id: this.id, url: redactUrl(this.spec.url) } })
        .catch((err: Error) =>
          this.deps.log.warn('stream webhook not queued', { stream: this.id, err: err.message }),
        );
    }
  }
}

/**
 * MJPEG over HTTP has no timestamps: ffmpeg would assume 25 fps, so `fps=N` would keep N of
 * every 25 frames whatever the camera's real rate. Arrival time is the frame's time instead.
 * HLS (`.m3u8`) carries its own timestamps and arrives in bursts, so it keeps them.
 */
function mjpegInput(url: string): string[] {
  return /\.m3u8($|\?)/i.test(url) ? [] : ['-use_wallclock_as_timestamps', '1'];
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
