import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BODYPIX24_PARTS, BODYPIX_TO_LIP20, LIP20_LABELS, mapLabelsToLip20 } from '@argus/vision';
import type { Manifest, ModelEntry } from './manifest.schema';
import { readLabels } from './manifest';
import { verifyModelFile } from './install-models';
import { createSession, type SessionOptions } from './session';

/** A loaded parse model (BodyPix or an SCHP-style LIP parser). */
export interface ParseModel {
  entry: ModelEntry;
  session: InferenceSession;
  /** The network's own class names, from its label file. */
  labels: string[];
  /**
   * LIP id for each of the network's classes: BodyPix part channel c → classToLabel[c];
   * SCHP class c → classToLabel[c] (class 0, background, maps to 0).
   */
  classToLabel: Uint8Array;
}

/**
 * Verifies (sha256) and loads one parse model, and checks that the file has the input and
 * outputs its manifest entry names and that its labels fit its format. Throws naming the
 * model and the problem; a worker should not start with a half-usable model.
 */
export async function loadParseModel(
  entry: ModelEntry,
  modelsDir: string,
  opts: SessionOptions,
): Promise<ParseModel> {
  if (entry.task !== 'parse' || (entry.format !== 'bodypix' && entry.format !== 'schp')) {
    throw new Error(`model "${entry.id}" (task ${entry.task}, format ${entry.format}) is not a parse model`);
  }
  const file = await verifyModelFile(modelsDir, entry);
  const labels = readLabels(modelsDir, entry);
  const classToLabel = labelMapFor(entry, labels);
  const session = await createSession(file, opts);
  try {
    if (!session.inputNames.includes(entry.input.name)) {
      throw new Error(`has no input "${entry.input.name}" (inputs: ${session.inputNames.join(', ')})`);
    }
    for (const [key, name] of Object.entries(entry.outputs)) {
      if (!session.outputNames.includes(name)) {
        throw new Error(
          `has no output "${name}" for outputs.${key} (outputs: ${session.outputNames.join(', ')})`,
        );
      }
    }
  } catch (err) {
    await session.release();
    throw new Error(`model "${entry.id}" (${path.basename(file)}) ${(err as Error).message}`);
  }
  return { entry, session, labels, classToLabel };
}

/** Loads the parse models among `ids` (other tasks' ids are skipped, unknown ids throw). */
export async function loadParseModels(
  manifest: Manifest,
  modelsDir: string,
  ids: readonly string[],
  opts: SessionOptions,
): Promise<Map<string, ParseModel>> {
  const models = new Map<string, ParseModel>();
  for (const id of ids) {
    const entry = manifest.models.find((m) => m.id === id);
    if (!entry) throw new Error(`model "${id}" is not in the manifest`);
    if (entry.task !== 'parse') continue;
    models.set(id, await loadParseModel(entry, modelsDir, opts));
  }
  return models;
}

/** The network-class → LIP-id table for a parse model, checked against its label file. */
export function labelMapFor(entry: ModelEntry, labels: readonly string[]): Uint8Array {
  if (entry.format === 'bodypix') {
    if (labels.length !== BODYPIX24_PARTS.length || labels.some((l, i) => l !== BODYPIX24_PARTS[i])) {
      throw new Error(
        `model "${entry.id}": label file ${entry.labels} must list the 24 BodyPix parts in output order ` +
          `(${BODYPIX24_PARTS[0]}, ${BODYPIX24_PARTS[1]}, …)`,
      );
    }
    return Uint8Array.from(BODYPIX_TO_LIP20);
  }
  let ids: number[];
  try {
    ids = mapLabelsToLip20(labels);
  } catch (err) {
    throw new Error(`model "${entry.id}": label file ${entry.labels}: ${(err as Error).message}`);
  }
  if (ids[0] !== 0 || ids.slice(1).includes(0)) {
    throw new Error(`model "${entry.id}": class 0 and only class 0 must be ${LIP20_LABELS[0]}`);
  }
  return Uint8Array.from(ids);
}
