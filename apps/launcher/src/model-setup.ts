/**
 * `npm start`'s model step: installs what it can, says what is missing, why and how to get
 * it, and tells the children which models to load (WORKER_MODELS, WORKER_TASKS) and which to
 * refuse at submit (MODELS_MISSING). Only "no model at all" stops the start.
 */
import type { Config } from '@argus/config';
import { manifestPathFor, readManifest } from '@argus/models';
import { installModelsFromSources, lineProgress } from '@argus/model-sources';

export interface ModelSetup {
  available: string[];
  missing: Record<string, string>;
  /** Variables for the gateway and the workers. */
  env: Record<string, string>;
}

export class NoModelError extends Error {}

export async function setUpModels(
  config: Config,
  given: { workerModels: boolean; workerTasks: boolean },
  log: (line: string) => void,
): Promise<ModelSetup> {
  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const outcomes = await installModelsFromSources(manifest, config.MODELS_DIR, {
    mirrorDir: config.MODEL_MIRROR || undefined,
    urlMap: config.MODEL_URL_MAP,
    progress: lineProgress(log),
    log,
  });
  const available = outcomes.filter((o) => o.ok).map((o) => o.id);
  const missing: Record<string, string> = {};
  for (const o of outcomes) if (!o.ok) missing[o.id] = o.reason;

  const howTo =
    'get them with `npm run models` once the source answers (network access, MODEL_MIRROR=<folder with the files>, or MODEL_URL_MAP=<public prefix>=<mirror prefix>); see docs/models.md';
  if (available.length === 0) {
    throw new NoModelError(
      [
        'no model could be installed, so there is nothing to serve:',
        ...Object.entries(missing).map(([id, why]) => `  - ${id}: ${why}`),
        howTo,
      ].join('\n'),
    );
  }
  log(`models ready: ${available.join(', ')}`);
  if (Object.keys(missing).length) {
    log(
      `starting without ${Object.keys(missing).length} model(s); jobs that name them get 400 model_unavailable:`,
    );
    for (const [id, why] of Object.entries(missing)) log(`  missing ${id}: ${why}`);
    log(`  ${howTo}, then restart`);
  }

  const env: Record<string, string> = { MODELS_MISSING: JSON.stringify(missing) };
  const tasks = [...new Set(manifest.models.filter((m) => available.includes(m.id)).map((m) => m.task))];
  if (!given.workerModels) env.WORKER_MODELS = available.join(',');
  if (!given.workerTasks)
    env.WORKER_TASKS = config.WORKER_TASKS.filter((t) => tasks.includes(t as never)).join(',');
  return { available, missing, env };
}
