import sharp from 'sharp';
import type { Detection, ModelRef, TrackedPerson, VideoFrameResult } from '@argus/contracts';
import type { VideoChunkStore } from '@argus/queue';
import { ByteTracker, type TrackerState } from '@argus/vision';
import { abortReason } from './ffmpeg-process';
import { readFrames, type VideoFrame } from './frame-reader';
import type { VideoProbe } from './video-probe';

/** What the task's model found in one frame. */
export interface FrameAnalysis {
  detections: Detection[];
  /** parse: one per detection, same order; tracking gives both the same id. */
  persons?: Array<Omit<TrackedPerson, 'trackId'>>;
  model: ModelRef;
}

/** Where a video job picks up after a restart: the next frame and the tracker as it was. */
export interface ResumePoint {
  nextFrame: number;
  tracker: TrackerState;
  /** The model that produced the stored frames (id and sha256, for the result). */
  model: ModelRef;
}

export interface VideoDetectDeps {
  ffmpeg: string;
  store: VideoChunkStore<ResumePoint>;
  /** Aborted on cancel or shutdown: ffmpeg is killed and the wait for inference ends. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Frames in flight together (they fill the batcher) and stored as one chunk. */
  chunkFrames: number;
  onProgress(framesDone: number, framesTotal: number): Promise<void>;
  onResume?(nextFrame: number): void;
}

export interface VideoDetectJob {
  file: string;
  probe: VideoProbe;
  /** Sampled frames expected (`plannedFrames`). */
  planned: number;
  fps: number;
  /**
   * Runs the task's model on one frame (an uncompressed PNG), through the same inference
   * thread and batcher as an uploaded image.
   */
  analyze(png: Buffer): Promise<FrameAnalysis>;
}

/**
 * Runs detection over a video's sampled frames and tracks objects across them. Frames go
 * to the inference thread a chunk at a time, so the batcher sees up to `chunkFrames`
 * requests at once; tracking then runs in frame order and the chunk is stored with the
 * tracker's state. After a restart it continues from the last stored chunk.
 */
export async function detectVideoFrames(
  job: VideoDetectJob,
  deps: VideoDetectDeps,
): Promise<ModelRef | undefined> {
  const resume = await deps.store.resume();
  const tracker = new ByteTracker({}, resume?.tracker);
  const start = resume?.nextFrame ?? 0;
  if (start > 0) deps.onResume?.(start);
  let model = resume?.model;
  if (start >= job.planned) return model;
  const chunkFrames = framesInFlight(deps.chunkFrames, job.probe.width * job.probe.height);
  let chunk: Array<{ index: number; timeSec: number; result: Promise<FrameAnalysis> }> = [];

  const flush = async () => {
    if (chunk.length === 0) return;
    const results = await untilAborted(Promise.all(chunk.map((c) => c.result)), deps.signal);
    const frames: VideoFrameResult[] = chunk.map((c, i) => {
      const { detections, persons } = results[i];
      const ids = tracker.update(
        detections.map((d) => ({ ...d.box, score: d.confidence, classId: d.classId })),
      );
      return {
        index: c.index,
        timeSec: c.timeSec,
        detections: detections.map((d, j) => ({ ...d, trackId: ids[j] })),
        ...(persons ? { persons: persons.map((p, j) => ({ trackId: ids[j], ...p })) } : {}),
      };
    });
    const nextFrame = chunk[chunk.length - 1].index + 1;
    model = results[0].model;
    await deps.store.commit(frames, { nextFrame, tracker: tracker.snapshot(), model });
    chunk = [];
    await deps.onProgress(nextFrame, job.planned);
  };

  const frames = readFrames(deps.ffmpeg, job.file, {
    fps: job.fps,
    width: job.probe.width,
    height: job.probe.height,
    startFrame: start,
    endFrame: job.planned,
    expectedFrames: job.planned,
    signal: deps.signal,
    timeoutMs: deps.timeoutMs,
  });
  for await (const frame of frames) {
    const result = analyzeFrame(job, frame);
    // A frame that fails while others are still pending must not become an unhandled rejection.
    result.catch(() => undefined);
    chunk.push({ index: frame.index, timeSec: frame.timeSec, result });
    if (chunk.length >= chunkFrames) await flush();
  }
  await flush();
  return model;
}

/** Decoded pixels a job keeps in flight at most: 16 VGA frames, or 3 frames of 4K. */
const IN_FLIGHT_PIXELS = 32_000_000;

/** `chunkFrames`, fewer for large frames, so 4K video cannot hold gigabytes in flight. */
export function framesInFlight(chunkFrames: number, framePixels: number): number {
  return Math.max(1, Math.min(chunkFrames, Math.floor(IN_FLIGHT_PIXELS / Math.max(1, framePixels))));
}

/**
 * One frame through the same path as an uploaded image. The frame travels as an
 * uncompressed PNG (level 0: a memcpy plus CRCs), so the inference thread decodes exactly
 * the pixels ffmpeg produced and the batcher needs no second input kind.
 */
async function analyzeFrame(job: VideoDetectJob, frame: VideoFrame): Promise<FrameAnalysis> {
  const png = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  return job.analyze(png);
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
