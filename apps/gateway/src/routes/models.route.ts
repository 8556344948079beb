import type { Router } from 'express';
import { AppError, JOB_CATALOG, type ModelInfo } from '@argus/contracts';
import { readLabels, type Manifest, type ModelEntry } from '@argus/manifest';
import type { WorkerInfo, WorkerRegistry } from '@argus/queue';
import { strictRouter } from '../http/strict-router';
import type { JobService } from '../jobs/job.service';
import { modelStatus } from './model-status';

/** The network input's layout, read from where its 3 colour channels sit. */
const layoutOf = (shape: readonly (number | string)[]): 'NCHW' | 'NHWC' => (shape[1] === 3 ? 'NCHW' : 'NHWC');

/** Everything about a model that does not change while the gateway runs (labels are read once). */
function describe(
  entry: ModelEntry,
  modelsDir: string | undefined,
): Omit<ModelInfo, 'status' | 'reason' | 'workers' | 'onDemand'> {
  const names = modelsDir ? readLabels(modelsDir, entry) : [];
  const { width, height, resize, channelOrder } = entry.preprocess;
  const { model: _model, ...options } = JOB_CATALOG[entry.task].optionsSchema.parse({});
  return {
    id: entry.id,
    task: entry.task,
    default: entry.default,
    format: entry.format,
    labels: { count: names.length, names },
    input: {
      name: entry.input.name,
      shape: entry.input.shape,
      layout: layoutOf(entry.input.shape),
      width,
      height,
      resize,
      channelOrder,
    },
    options,
  };
}

/**
 * `GET /v1/models`: the manifest's models in manifest order, each with its labels, input,
 * option defaults, state and the live workers that have it loaded (from their heartbeats,
 * as `/readyz` reads them). Behind the API key like every /v1 route.
 */
export function modelsRouter(deps: {
  manifest: Manifest;
  jobs: Pick<JobService, 'modelCatalog'>;
  registry: WorkerRegistry;
  modelsDir?: string;
  workerMaxAgeMs: number;
}): Router {
  const router = strictRouter();
  let described: ReturnType<typeof describe>[] | undefined;

  router.get('/v1/models', async (_req, res) => {
    described ??= deps.manifest.models.map((entry) => describe(entry, deps.modelsDir));
    let workers: WorkerInfo[];
    try {
      workers = await deps.registry.live(deps.workerMaxAgeMs);
    } catch {
      throw new AppError(
        'unavailable',
        'Redis is unreachable, so which workers have a model loaded is unknown',
      );
    }
    const catalog = deps.jobs.modelCatalog();
    const loaded = [...new Set(workers.flatMap((w) => w.models))];
    const models: ModelInfo[] = described.map((model) => {
      const known = catalog.find((m) => m.id === model.id) ?? { ...model };
      return {
        ...model,
        ...modelStatus(known, loaded),
        workers: workers
          .filter((w) => w.models.includes(model.id) && !w.modelsOnDemand?.includes(model.id))
          .map((w) => w.id),
        onDemand: workers.filter((w) => w.modelsOnDemand?.includes(model.id)).map((w) => w.id),
      };
    });
    res.json({ models });
  });
  return router;
}
