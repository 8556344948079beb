import crypto from 'node:crypto';
import type { Task } from '@argus/contracts';

/**
 * Every Redis key Argus writes outside BullMQ, in one place. All start with the configured
 * prefix so test runs (random prefix) and deployments sharing a Redis never collide.
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

  /** Record of a submission answered from the cache (it never became a BullMQ job). */
  cachedJob(jobId: string): string {
    return `${this.prefix}:cached-job:${jobId}`;
  }

  /** Sorted set of live workers, scored by last heartbeat (ms). */
  workers(): string {
    return `${this.prefix}:workers`;
  }

  worker(workerId: string): string {
    return `${this.prefix}:worker:${workerId}`;
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
