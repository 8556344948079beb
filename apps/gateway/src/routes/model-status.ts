import type { Task } from '@argus/contracts';

/** A manifest model as the gateway knows it (jobs/job.service.ts `modelCatalog()`). */
export interface CatalogModel {
  id: string;
  task: Task;
  default: boolean;
  /** Why the model is not installed here; absent when it is. */
  missing?: string;
}

/**
 * A model's state: `missing` (not installed here; `reason` says why), `ready` (a live worker
 * loaded it) or `not_loaded` (installed, but no live worker has it loaded). `/readyz` and
 * `GET /v1/models` both report it.
 */
export function modelStatus(
  model: CatalogModel,
  loaded: readonly string[],
): { status: 'ready' | 'missing' | 'not_loaded'; reason?: string } {
  if (model.missing !== undefined) return { status: 'missing', reason: model.missing };
  return { status: loaded.includes(model.id) ? 'ready' : 'not_loaded' };
}
