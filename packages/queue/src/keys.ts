import crypto from 'node:crypto';
import type { Task } from '@argus/contracts';

/**
 * Every Redis key Argus writes outside BullMQ, in one place. All start with the configured
 * prefix so test runs (random prefix) and deployments sharing a Redis never collide.
 *
 * Redis Cluster: keys that one MULTI or one multi-key command touches together carry the
 * same hash tag (the part in `{…}`, which alone decides the slot), so they live in one slot:
 * a job's callbacks, end marker and delivery logs (`{<jobId>}`), the worker registry (`{workers}`).
 * Every other key is read and written on its own.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Upload bytes of one job; deleted when the job ends, TTL as a safety net. */
  blob(jobId: string): string {
    return `${this.prefix}:blob:${jobId}`;
  }

  /** Artifacts (PNG overlays, masks) of one result. */
  artifact(resultKey: string, name: string): string {
    return `${resultKey}:artifact:${name}`;
  }

  /**
   * Record of a job that is not (or no longer) in BullMQ: a submission answered from the
   * cache, or a queued job that was canceled and removed.
   */
  jobRecord(jobId: string): string {
    return `${this.prefix}:job-record:${jobId}`;
  }

  /** Callbacks registered on a job (a list of JSON `Callback`s). */
  callbacks(jobId: string): string {
    return `${this.prefix}:callbacks:{${jobId}}`;
  }

  /** Set once when a job ends (its `JobSnapshot`); lets late callbacks still be delivered. */
  jobEnded(jobId: string): string {
    return `${this.prefix}:ended:{${jobId}}`;
  }

  /** Deliveries of a job: hash deliveryId → JSON {event, url, createdAt, redelivery}. */
  deliveries(jobId: string): string {
    return `${this.prefix}:deliveries:{${jobId}}`;
  }

  /** The delivery ids of a job in the order they were made (the newest WEBHOOK_LOG_MAX_ENTRIES). */
  deliveryOrder(jobId: string): string {
    return `${this.prefix}:delivery-order:{${jobId}}`;
  }

  /** Every delivery attempt of a job, oldest first (a list of JSON entries, the newest kept). */
  deliveryAttempts(jobId: string): string {
    return `${this.prefix}:delivery-attempts:{${jobId}}`;
  }

  /** How many deliveries and attempts of a job were dropped from the capped logs above. */
  deliveryDropped(jobId: string): string {
    return `${this.prefix}:delivery-dropped:{${jobId}}`;
  }

  /** Token bucket of the redeliveries of one job. */
  redeliverRate(jobId: string): string {
    return `${this.prefix}:redeliver-rate:{${jobId}}`;
  }

  /** Set while a client asks for an active job to stop at its next stage boundary. */
  cancelRequest(jobId: string): string {
    return `${this.prefix}:cancel:${jobId}`;
  }

  /**
   * A running video job's stored chunks (a list of JSON frame results, in frame order) and
   * its resume point (frames done + tracker state). Written together in one MULTI, so they
   * share the job's hash tag; deleted when the job ends.
   */
  videoChunks(jobId: string): string {
    return `${this.prefix}:video:{${jobId}}:chunks`;
  }

  videoResume(jobId: string): string {
    return `${this.prefix}:video:{${jobId}}:resume`;
  }

  /** Ids of the registered live streams (a set). */
  streams(): string {
    return `${this.prefix}:streams`;
  }

  /**
   * One live stream: its registration and state (a hash), the lease of the worker that holds
   * it (a string with a TTL), and its processed-frame events (a Redis stream, capped).
   * Deleting the stream deletes all three.
   */
  stream(id: string): string {
    return `${this.prefix}:stream:{${id}}`;
  }

  streamLease(id: string): string {
    return `${this.prefix}:stream:{${id}}:lease`;
  }

  streamEvents(id: string): string {
    return `${this.prefix}:stream:{${id}}:events`;
  }

  /** The stream's latest processed frame (a hash: seq, jpeg), for viewers; short TTL. */
  streamFrame(id: string): string {
    return `${this.prefix}:stream:{${id}}:frame`;
  }

  /** An Idempotency-Key (hashed) → the job it created and the request's fingerprint. */
  idempotency(keyHash: string): string {
    return `${this.prefix}:idempotency:${keyHash}`;
  }

  /** API keys: hash of sha256(key) → JSON record. */
  apiKeys(): string {
    return `${this.prefix}:api-keys`;
  }

  /** Token bucket of one API key (or client). */
  rateLimit(subject: string): string {
    return `${this.prefix}:rate:${subject}`;
  }

  /** Jobs submitted by one API key on one UTC day. */
  dailyQuota(subject: string, day: string): string {
    return `${this.prefix}:quota:${subject}:${day}`;
  }

  /**
   * Metric snapshots of the worker fleet: the index (a sorted set of sources by last push)
   * and one snapshot per source. One hash tag for all of them: the MULTI and MGET of
   * MetricsSnapshotStore must stay in one slot on Redis Cluster.
   */
  metricsSources(): string {
    return `${this.prefix}:{metrics}:sources`;
  }

  metricsSnapshot(source: string): string {
    return `${this.prefix}:{metrics}:snapshot:${source}`;
  }

  /** The Redis epoch (never expires): gone or changed means Redis lost its data. */
  epoch(): string {
    return `${this.prefix}:epoch`;
  }

  /** Sorted set of live workers, scored by last heartbeat (ms). */
  workers(): string {
    return `${this.prefix}:{workers}`;
  }

  /** One worker's `WorkerInfo` (TTL'd); read with the set above in one MGET. */
  worker(workerId: string): string {
    return `${this.prefix}:{workers}:${workerId}`;
  }

  /**
   * The result-cache key, which is also where the worker stores the result: task, model id
   * and sha256 (a changed model file never serves stale results), the options that change
   * the result, and the MD5 of the uploaded bytes.
   */
  result(input: ResultKeyInput): string {
    const opts = input.cacheKeyOptions.map((name) => `${name}=${String(input.options[name])}`).join('&');
    const optsHash = crypto.createHash('sha1').update(opts).digest('hex').slice(0, 12);
    return `${this.prefix}:result:${input.task}:${input.modelId}@${input.modelSha256.slice(0, 12)}:${optsHash}:${input.md5}`;
  }
}

export interface ResultKeyInput {
  task: Task;
  modelId: string;
  modelSha256: string;
  options: Record<string, unknown>;
  cacheKeyOptions: readonly string[];
  md5: string;
}

export function md5Hex(bytes: Uint8Array): string {
  return crypto.createHash('md5').update(bytes).digest('hex');
}
