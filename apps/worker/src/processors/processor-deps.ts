import type { CancelFlags, JobEvents, ResultCache, UploadStore, VideoChunkStore } from '@argus/queue';
import type { ResumePoint } from '../video/video-detect';
import type { Logger } from '@argus/config';
import type { Inference } from '../inference/bounded-inference';

/** What a processor needs, passed in rather than imported so tests can build their own. */
export interface ProcessorDeps {
  /** The job's upload (read once, deleted when the job ends). */
  uploads: UploadStore;
  /** Where the result and its artifacts go (the result key doubles as the cache entry). */
  results: ResultCache;
  /** Set by DELETE /v1/jobs/:id on a running job; checked at stage boundaries. */
  cancels: CancelFlags;
  inference: Inference;
  /** Queues webhook deliveries when a job ends. */
  events: JobEvents;
  resultTtlSeconds: number;
  log: Logger;
  /** Absent on workers built without video support (tests of image jobs). */
  video?: VideoDeps;
}

/** What video jobs need beyond an image job: ffmpeg, limits, and a way to stop them. */
export interface VideoDeps {
  /** A video job's per-chunk results and resume point in Redis (the data layer's repository). */
  chunks(jobId: string, ttlSeconds: number): VideoChunkStore<ResumePoint>;
  ffmpeg: string;
  ffprobe: string;
  maxDurationSec: number;
  maxPixels: number;
  timeoutMs: number;
  chunkFrames: number;
  /** Aborted when the worker shuts down: video jobs stop (killing ffmpeg) and retry elsewhere. */
  stopping: AbortSignal;
}
