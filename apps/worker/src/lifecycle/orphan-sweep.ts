import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient, RedisKeys } from '@argus/queue';

export interface OrphanSweepDeps {
  redis: RedisClient;
  keys: RedisKeys;
  /** The task queues whose jobs own upload blobs. */
  queues: readonly Queue[];
  blobTtlSeconds: number;
  /**
   * A blob younger than this may belong to a submission between storing its upload and
   * adding its job: left alone.
   */
  minAgeSeconds?: number;
}

/**
 * Deletes upload blobs whose job is not waiting or running any more: its job was never
 * added (the gateway crashed between the two writes), or it ended and the delete that
 * should have followed was lost. Without the sweep such a blob holds its bytes for the
 * whole BLOB_TTL_SECONDS. Returns how many were deleted.
 */
export async function sweepOrphanBlobs(deps: OrphanSweepDeps): Promise<number> {
  const minAge = deps.minAgeSeconds ?? 60;
  const pattern = deps.keys.blob('*');
  const blobPrefix = deps.keys.blob('');
  // SCAN walks one node: on a Cluster, every primary.
  const nodes: Redis[] = isCluster(deps.redis) ? deps.redis.nodes('master') : [deps.redis];
  let removed = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (const key of found) {
        const ttl = await node.ttl(key);
        // -2: gone meanwhile; a TTL near the full one: written within the last minAge seconds.
        if (ttl === -2 || ttl > deps.blobTtlSeconds - minAge) continue;
        const jobId = key.slice(blobPrefix.length);
        const states = await Promise.all(deps.queues.map((q) => q.getJobState(jobId)));
        const live = states.some((s) => s !== 'unknown' && s !== 'completed' && s !== 'failed');
        if (live) continue;
        removed += await deps.redis.del(key);
      }
    } while (cursor !== '0');
  }
  return removed;
}

function isCluster(redis: RedisClient): redis is Cluster {
  return typeof (redis as Cluster).nodes === 'function' && (redis as Cluster).isCluster === true;
}
