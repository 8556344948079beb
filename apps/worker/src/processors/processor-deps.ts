import type { BlobStore, JobEvents, RedisKeys } from '@argus/queue';
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
}
