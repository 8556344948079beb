import type { Router } from 'express';
import { strictRouter } from '../http/strict-router';
import { AppError } from '@argus/contracts';
import { modelMetadata, readLabels, type Manifest, type ModelEntry } from '@argus/manifest';
import type { WorkerInfo, WorkerRegistry } from '@argus/queue';

/**
 * Open Inference Protocol (KServe v2, Triton) health and model metadata, so KServe-style
 * probes and dashboards work unchanged. Per the protocol, 200 means true and a 4xx means
 * false: not ready is 409 `not_ready`. Error bodies keep Argus' `{error: {code, message}}`
 * (the protocol's `{error: "<text>"}` would break the one error shape every route shares).
 * A model is ready when at least one live worker has loaded it (workers list their loaded
 * models in their heartbeats).
 */
export function oipRouter(deps: {
  registry: WorkerRegistry;
  manifest: Manifest;
  modelsDir?: string;
  workerMaxAgeMs: number;
}): Router {
  const router = strictRouter();
  const labelCounts = new Map<string, number>();
  const labelsOf = (entry: ModelEntry) => {
    let n = labelCounts.get(entry.id);
    if (n === undefined) {
      n = deps.modelsDir ? readLabels(deps.modelsDir, entry).length : 80;
      labelCounts.set(entry.id, n);
    }
    return n;
  };
  const entryOf = (name: string) => {
    const entry = deps.manifest.models.find((m) => m.id === name);
    if (!entry) {
      const known = deps.manifest.models.map((m) => m.id).join(', ');
      throw new AppError('not_found', `no model "${name}" (known: ${known})`);
    }
    return entry;
  };
  /** Live workers, or 503 `unavailable` within the Redis deadline. */
  const liveWorkers = async (): Promise<WorkerInfo[]> => {
    try {
      return await deps.registry.live(deps.workerMaxAgeMs);
    } catch {
      throw new AppError('unavailable', 'Redis is unreachable, so worker readiness is unknown');
    }
  };

  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  router.get('/v2/health/ready', async (_req, res) => {
    const workers = await liveWorkers();
    if (workers.length === 0) {
      res.status(409).json({
        ready: false,
        error: { code: 'not_ready', message: 'no worker is alive; start one with `npm run start:worker`' },
      });
      return;
    }
    res.json({ ready: true });
  });
  router.get('/v2/models/:model', (req, res) => {
    const entry = entryOf(String(req.params.model));
    res.json(modelMetadata(entry, labelsOf(entry)));
  });
  router.get('/v2/models/:model/ready', async (req, res) => {
    const entry = entryOf(String(req.params.model));
    const workers = await liveWorkers();
    const serving = workers.filter((w) => w.models.includes(entry.id)).length;
    if (serving === 0) {
      res.status(409).json({
        name: entry.id,
        ready: false,
        error: { code: 'not_ready', message: `no live worker has model "${entry.id}" loaded` },
      });
      return;
    }
    res.json({ name: entry.id, ready: true, workers: serving });
  });
  return router;
}
