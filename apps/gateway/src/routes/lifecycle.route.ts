import { Router, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { AppError } from '@argus/contracts';
import type { JobEvents, RedisKeys } from '@argus/queue';
import type { JobService } from '../jobs/job.service';
import { guardRedis } from '../http/redis-guard';

interface AttemptEntry {
  deliveryId: string;
  event: string;
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
  outcome: 'delivered' | 'retry' | 'gone' | 'rejected' | 'dead';
}

interface DeliveryIndexEntry {
  event: string;
  url: string;
  createdAt: string;
  redelivery: boolean;
}

/** The status of one delivery, from its attempts: the last one decides. */
function deliveryStatus(attempts: readonly AttemptEntry[]): 'pending' | 'retrying' | 'delivered' | 'failed' {
  const last = attempts.at(-1);
  if (!last) return 'pending';
  if (last.outcome === 'delivered') return 'delivered';
  return last.outcome === 'retry' ? 'retrying' : 'failed';
}

/** Cancel, and the webhook deliveries of a job (with dead letters, until the job's TTL ends). */
export function lifecycleRouter(deps: {
  jobs: JobService;
  jobEvents: JobEvents;
  redis: Redis;
  keys: RedisKeys;
  redisTimeoutMs: number;
}): Router {
  const router = Router();
  const guard = <T>(op: () => Promise<T>) => guardRedis(op, deps.redisTimeoutMs);

  const requireJob = async (id: string) => {
    const view = await deps.jobs.get(id);
    if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
    return view;
  };

  router.delete('/v1/jobs/:id', async (req: Request, res: Response) => {
    const { view, accepted } = await deps.jobs.cancel(String(req.params.id));
    res.status(accepted ? 202 : 200).json(view);
  });

  router.get('/v1/jobs/:id/deliveries', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    await requireJob(id);
    const [index, rawAttempts] = await guard(() =>
      Promise.all([
        deps.redis.hgetall(deps.keys.deliveries(id)),
        deps.redis.lrange(deps.keys.deliveryAttempts(id), 0, -1),
      ]),
    );
    const attempts = rawAttempts.map((r) => JSON.parse(r) as AttemptEntry);
    const deliveries = Object.entries(index)
      .map(([deliveryId, raw]) => {
        const entry = JSON.parse(raw) as DeliveryIndexEntry;
        const own = attempts
          .filter((a) => a.deliveryId === deliveryId)
          .map(({ deliveryId: _d, event: _e, ...rest }) => rest);
        return { deliveryId, ...entry, status: deliveryStatus(own as AttemptEntry[]), attempts: own };
      })
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    res.json({ jobId: id, deliveries });
  });

  router.post('/v1/jobs/:id/deliveries/redeliver', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const view = await requireJob(id);
    const callbacks = await guard(() => deps.jobEvents.callbacksOf(id));
    if (callbacks.length === 0)
      throw new AppError('not_found', `job ${id} was submitted without a callbackUrl`);
    const { snapshot, deliveryIds } = await guard(() => deps.jobEvents.redeliver(id));
    if (!snapshot)
      throw new AppError('not_ready', `job ${id} is ${view.status}; it is delivered when it ends`);
    res.status(202).json({ jobId: id, event: snapshot.event, deliveryIds });
  });

  return router;
}
