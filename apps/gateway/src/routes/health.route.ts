import type { Router } from 'express';
import { strictRouter } from '../http/strict-router';
import type { WorkerRegistry } from '@argus/queue';
import type { JobService } from '../jobs/job.service';
import { modelStatus } from './model-status';

type ModelState = {
  id: string;
  task: string;
  default: boolean;
  status: 'ready' | 'missing' | 'not_loaded';
  reason?: string;
};

/**
 * Per-model readiness: `ready` (a live worker loaded it), `missing` (not installed here; the
 * reason says why) or `not_loaded` (installed, but no live worker has it loaded).
 */
function modelStates(
  jobs: Pick<JobService, 'modelCatalog'> | undefined,
  loaded: readonly string[],
): ModelState[] {
  return (jobs?.modelCatalog() ?? []).map((m) => ({
    id: m.id,
    task: m.task,
    default: m.default,
    ...modelStatus(m, loaded),
  }));
}

/**
 * `/healthz`: the process is up (liveness). `/readyz`: Redis answers and at least one
 * worker has sent a heartbeat recently (readiness: jobs submitted now will be processed), with
 * each model's state (`modelStatus`).
 */
export function healthRouter(deps: {
  registry: WorkerRegistry;
  workerMaxAgeMs: number;
  jobs?: Pick<JobService, 'modelCatalog'>;
  /** Not ready from finding that Redis lost its data until this gateway re-established its state. */
  epoch?: { readonly ready: boolean };
}): Router {
  const router = strictRouter();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    let workers: Awaited<ReturnType<WorkerRegistry['live']>>;
    try {
      // The registry read is the Redis round trip: it fails when Redis does not answer.
      workers = await deps.registry.live(deps.workerMaxAgeMs);
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
        modelStatus: modelStates(deps.jobs, []),
        error: { code: 'unavailable', message: 'no worker is alive; start one with `npm run start:worker`' },
      });
      return;
    }
    const models = [...new Set(workers.flatMap((w) => w.models))].sort();
    res.json({
      status: 'ready',
      redis: 'ok',
      workers: workers.length,
      tasks: [...new Set(workers.flatMap((w) => w.tasks))].sort(),
      models,
      modelStatus: modelStates(deps.jobs, models),
    });
  });
  return router;
}
