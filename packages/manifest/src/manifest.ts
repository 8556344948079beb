import fs from 'node:fs';
import path from 'node:path';
import { AppError, type Task } from '@argus/contracts';
import { ManifestSchema, type Manifest, type ModelEntry } from './manifest.schema';

export function readManifest(manifestPath: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read model manifest ${manifestPath}: ${(err as Error).message}`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid model manifest ${manifestPath}: ${problems}`);
  }
  return parsed.data;
}

export function manifestPathFor(modelsDir: string): string {
  return path.join(modelsDir, 'manifest.json');
}

/**
 * Picks the model for a request: the named one (which must exist and serve the task) or
 * the task's default. A model in `missing` (not installed on this server: id → why) is refused
 * with `model_unavailable`, naming what the task can use instead.
 */
export function resolveModel(
  manifest: Manifest,
  task: Task,
  requested?: string,
  missing: Readonly<Record<string, string>> = {},
): ModelEntry {
  const entry = pickModel(manifest, task, requested);
  const why = missing[entry.id];
  if (why !== undefined) {
    const available = manifest.models.filter((m) => m.task === task && !(m.id in missing)).map((m) => m.id);
    throw new AppError(
      'model_unavailable',
      `model "${entry.id}"${requested ? '' : ` (the ${task} default)`} is not installed on this server (${why}). ` +
        (available.length
          ? `Available for ${task}: ${available.join(', ')} (pass model=<id>).`
          : `No ${task} model is installed.`) +
        ' An operator installs it with `npm run models`.',
    );
  }
  return entry;
}

function pickModel(manifest: Manifest, task: Task, requested?: string): ModelEntry {
  if (requested) {
    const entry = manifest.models.find((m) => m.id === requested);
    if (!entry || entry.task !== task) {
      const choices = manifest.models.filter((m) => m.task === task).map((m) => m.id);
      throw new AppError(
        'invalid_option',
        `model "${requested}" does not serve task "${task}"; choose one of: ${choices.join(', ')}`,
      );
    }
    return entry;
  }
  const entry = manifest.models.find((m) => m.task === task && m.default);
  if (!entry) throw new AppError('model_unavailable', `no model is configured for task "${task}"`);
  return entry;
}

export function readLabels(modelsDir: string, entry: ModelEntry): string[] {
  return fs
    .readFileSync(path.join(modelsDir, entry.labels), 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}
