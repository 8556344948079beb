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
  if (entry.task !== 'parse' || !['bodypix', 'schp', 'sch-fusion'].includes(entry.format)) {
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
  if (entry.format === 'sch-fusion') {
    // The segmenter's channels are not LIP labels; the fusion rules name pixels. The table
    // keeps the channel order checked: skin, clothes, hair.
    if (labels.join(',') !== 'skin,clothes,hair') {
      throw new Error(`model "${entry.id}": label file ${entry.labels} must list skin, clothes, hair`);
    }
    return Uint8Array.of(0, 1, 2);
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

/** A parse model ready to run: the part network and, for a fused model, its segmenter. */
export interface ParseModelSet {
  parts: ParseModel;
  clothes?: ParseModel;
}

/**
 * Loads the networks a parse model id needs: a fused (`sch-fusion`) entry loads its segmenter
 * and the BodyPix model its `fuse.parts` names; any other parse entry loads itself.
 */
export async function loadParseModelSet(
  manifest: Manifest,
  entry: ModelEntry,
  modelsDir: string,
  opts: SessionOptions,
): Promise<ParseModelSet> {
  if (entry.format !== 'sch-fusion') return { parts: await loadParseModel(entry, modelsDir, opts) };
  const partsEntry = manifest.models.find((m) => m.id === entry.fuse?.parts);
  if (!partsEntry)
    throw new Error(`model "${entry.id}": fuse.parts "${entry.fuse?.parts}" is not in the manifest`);
  const clothes = await loadParseModel(entry, modelsDir, opts);
  try {
    return { parts: await loadParseModel(partsEntry, modelsDir, opts), clothes };
  } catch (err) {
    await clothes.session.release();
    throw err;
  }
}
