import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { WorkerRegistry } from '@argus/queue';
import { guardRedis } from '../http/redis-guard';

/**
 * `/healthz`: the process is up (liveness). `/readyz`: Redis answers and at least one
 * worker has sent a heartbeat recently (readiness: jobs submitted now will be processed).
 */
export function healthRouter(deps: {
  redis: Redis;
  registry: WorkerRegistry;
  workerMaxAgeMs: number;
  redisTimeoutMs: number;
  /** Not ready from finding that Redis lost its data until this gateway re-established its state. */
  epoch?: { readonly ready: boolean };
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    let workers: Awaited<ReturnType<WorkerRegistry['live']>>;
    try {
      await guardRedis(() => deps.redis.ping(), deps.redisTimeoutMs);
      workers = await guardRedis(() => deps.registry.live(deps.workerMaxAgeMs), deps.redisTimeoutMs);
    } catch {
      res.status(503).json({
        status: 'not_ready',
        redis: 'down',
        workers: 0,
        error: { code: 'unavailable', message: 'Redis is unreachable' },
      });
      return;
    }
    if (deps.epoch && !deps.epoch.ready) {
      res.status(503).json({
        status: 'not_ready',
        redis: 'data_lost',
        workers: workers.length,
        error: {
          code: 'unavailable',
          message: 'Redis lost its data (its epoch key vanished); the gateway is re-establishing its state',
        },
      });
      return;
    }
    if (workers.length === 0) {
      res.status(503).json({
        status: 'not_ready',
        redis: 'ok',
        workers: 0,
        error: { code: 'unavailable', message: 'no worker is alive; start one with `npm run start:worker`' },
      });
      return;
    }
    res.json({
      status: 'ready',
      redis: 'ok',
      workers: workers.length,
      tasks: [...new Set(workers.flatMap((w) => w.tasks))].sort(),
      models: [...new Set(workers.flatMap((w) => w.models))].sort(),
    });
  });
  return router;
}
