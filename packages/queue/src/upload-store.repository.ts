import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/**
 * Upload bytes of queued jobs, each under its own key with a TTL (`BLOB_TTL_SECONDS`), so
 * BullMQ job data holds only the key. The gateway stores them before it adds the job; the
 * worker reads them and deletes them once the job ends.
 */
export class UploadStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  keyFor(jobId: string): string {
    return this.keys.blob(jobId);
  }

  async put(blobKey: string, bytes: Buffer): Promise<void> {
    await this.redis.set(blobKey, bytes, 'EX', this.ttlSeconds);
  }

  async get(blobKey: string): Promise<Buffer | null> {
    return this.redis.getBuffer(blobKey);
  }

  async delete(blobKey: string): Promise<void> {
    await this.redis.del(blobKey);
  }

  /**
   * Deletes uploads whose job is not waiting or running any more: its job was never added
   * (the gateway crashed between the two writes), or it ended and the delete that should
   * have followed was lost. Without the sweep such a blob holds its bytes for the whole
   * TTL. An upload younger than `minAgeSeconds` may belong to a submission between storing
   * it and adding its job: left alone. Returns how many were deleted.
   */
  async sweepOrphans(queues: readonly Queue[], minAgeSeconds = 60): Promise<number> {
    const pattern = this.keys.blob('*');
    const blobPrefix = this.keys.blob('');
    // SCAN walks one node: on a Cluster, every primary.
    const nodes: Redis[] = isCluster(this.redis) ? this.redis.nodes('master') : [this.redis];
    let removed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        for (const key of found) {
          const ttl = await node.ttl(key);
          // -2: gone meanwhile; a TTL near the full one: written within the last minAge seconds.
          if (ttl === -2 || ttl > this.ttlSeconds - minAgeSeconds) continue;
          const jobId = key.slice(blobPrefix.length);
          const states = await Promise.all(queues.map((q) => q.getJobState(jobId)));
          const live = states.some((s) => s !== 'unknown' && s !== 'completed' && s !== 'failed');
          if (live) continue;
          removed += await this.redis.del(key);
        }
      } while (cursor !== '0');
    }
    return removed;
  }
}

function isCluster(redis: RedisClient): redis is Cluster {
  return typeof (redis as Cluster).nodes === 'function' && (redis as Cluster).isCluster === true;
}
