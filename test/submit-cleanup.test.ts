/**
 * A submission that fails after its upload was stored leaves nothing behind (issue 17): the
 * gateway's JobService against the real Redis for blobs, and a real BullMQ queue whose Redis
 * is down (a closed port, fail-fast producer connection), so the enqueue fails for real.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { manifestPathFor, readManifest } from '@argus/models';
import {
  CancelFlags,
  JobRecordStore,
  RedisKeys,
  ResultCache,
  UploadStore,
  createQueue,
  createRedis,
  type JobEvents,
} from '@argus/queue';
import { JobService } from '../apps/gateway/src/jobs/job.service';
import { validateImage } from '../apps/gateway/src/uploads/validate-image';
import { OPEN_ACCESS } from '../apps/gateway/src/auth/access';
import { toAppError } from '../apps/gateway/src/http/error-handler';
import { REDIS_URL, REPO_ROOT, sample, sleep } from './support/platform';
import { freePort } from './support/redis-server';

describe('a submission whose enqueue fails', () => {
  it('deletes the upload it stored before answering with the error', async () => {
    const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
    const redis = new Redis(REDIS_URL);
    const down = createRedis(`redis://127.0.0.1:${await freePort()}`, {
      role: 'producer',
      name: 'argus-test-down',
      onError: () => undefined,
    });
    const settings = { prefix, retentionSeconds: 60 };
    const queues = {
      detect: createQueue('detect', down, settings),
      parse: createQueue('parse', down, settings),
      segment: createQueue('segment', down, settings),
    };
    for (const q of Object.values(queues)) q.on('error', () => undefined); // Redis is down on purpose
    const keys = new RedisKeys(prefix);
    const jobs = new JobService({
      queues,
      // Neither is touched by a submission without a callback.
      events: {} as Record<'detect' | 'parse' | 'segment', QueueEvents>,
      jobEvents: {} as JobEvents,
      uploads: new UploadStore(redis, keys, 600),
      results: new ResultCache(redis, keys),
      records: new JobRecordStore(redis, keys, 60),
      cancels: new CancelFlags(redis, keys, 60),
      manifest: readManifest(manifestPathFor(path.join(REPO_ROOT, 'models'))),
      settings: { resultTtlSeconds: 60 },
    });
    try {
      const submission = jobs.submit({
        task: 'detect',
        bytes: sample('bus.jpg').bytes,
        checkImage: (bytes) => validateImage(bytes, 40e6),
        fields: {},
        requestId: 'r1',
        access: OPEN_ACCESS,
      });
      // The error handler's one mapping (toAppError) is what turns it into the client's answer.
      await expect(submission.catch((err: unknown) => Promise.reject(toAppError(err)))).rejects.toMatchObject(
        {
          code: 'unavailable',
        },
      );
      // The delete is not awaited by the answer; it follows at once.
      for (let i = 0; i < 50 && (await redis.keys(keys.blob('*'))).length > 0; i++) await sleep(20);
      expect(await redis.keys(keys.blob('*'))).toEqual([]);
    } finally {
      await Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined)));
      down.disconnect();
      redis.disconnect();
    }
  });
});
