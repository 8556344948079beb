import path from 'node:path';
import type { ModelEntry } from './manifest.schema';
import { readLabels } from './manifest';
import { verifyModelFile } from './install-models';
import { createSession, type SessionOptions } from './session';
import type { DetectModel } from './detect.pipeline';

/** Verifies (sha256) and loads one detection model; a missing or corrupt file throws naming it. */
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
