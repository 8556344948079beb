import path from 'node:path';
import type { Manifest, ModelEntry } from './manifest.schema';
import { readLabels } from './manifest';
import { verifyModelFile } from './install-models';
import { createSession, type SessionOptions } from './session';
import type { DetectModel } from './detect.pipeline';

/**
 * Verifies (sha256) and loads the given models once. A missing or corrupt file stops the
 * caller with a message naming the file, never a half-loaded worker.
 */
export async function loadDetectModels(
  manifest: Manifest,
  modelsDir: string,
  ids: readonly string[],
  opts: SessionOptions,
): Promise<Map<string, DetectModel>> {
  const models = new Map<string, DetectModel>();
  for (const id of ids) {
    const entry = manifest.models.find((m) => m.id === id);
    if (!entry) throw new Error(`model "${id}" is not in the manifest`);
    if (entry.task !== 'detect') continue;
    models.set(id, await loadDetectModel(entry, modelsDir, opts));
  }
  return models;
}

export async function loadDetectModel(
  entry: ModelEntry,
  modelsDir: string,
  opts: SessionOptions,
): Promise<DetectModel> {
  const file = await verifyModelFile(modelsDir, entry);
  const session = await createSession(file, opts);
  const labels = readLabels(modelsDir, entry);
  if (!session.inputNames.includes(entry.input.name)) {
    throw new Error(`model "${entry.id}" (${path.basename(file)}) has no input "${entry.input.name}"`);
  }
  return { entry, session, labels };
}

/** A segmentation model loads as a detector does (sha256, session, labels, input name). */
export function loadSegmentModel(entry: ModelEntry, modelsDir: string, opts: SessionOptions) {
  return loadDetectModel(entry, modelsDir, opts);
}
