import type { BlobStore, JobEvents, RedisClient, RedisKeys } from '@argus/queue';
import type { Logger } from '@argus/config';
import type { Inference } from '../inference/bounded-inference';

/** What a processor needs, passed in rather than imported so tests can build their own. */
export interface ProcessorDeps {
  blobs: BlobStore;
  keys: RedisKeys;
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
  /** For the per-chunk results (one MULTI per chunk). */
  redis: RedisClient;
  ffmpeg: string;
  ffprobe: string;
  maxDurationSec: number;
  maxPixels: number;
  timeoutMs: number;
  chunkFrames: number;
  /** Aborted when the worker shuts down: video jobs stop (killing ffmpeg) and retry elsewhere. */
  stopping: AbortSignal;
}
