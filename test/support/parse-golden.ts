/**
 * What the parse golden suites share: where the models and data sets are, the options and
 * limits they parse with, and loading BodyPix 0.75 with the YOLOv8n person detector. A missing
 * model, image or data set fails with the reason; nothing is skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@argus/config';
import type { ParseOptions } from '@argus/contracts';
import {
  loadDetectModel,
  loadParseModel,
  manifestPathFor,
  readManifest,
  resolveModel,
  type DetectModel,
  type ParseModel,
} from '@argus/models';

export const MODELS_DIR = path.join(REPO_ROOT, 'models');
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared', 'data');
export const SAMPLES = path.join(SHARED, 'samples');
export const LIMITS = { maxPixels: 40_000_000 };
export const OPTIONS: ParseOptions = {
  threshold: 0.5,
  alpha: 0.5,
  mode: 'crops',
  personConfidence: 0.25,
  maxPersons: 20,
  pose: false,
};

export function readInput(file: string): Buffer {
  if (!fs.existsSync(file)) throw new Error(`test image missing: ${file} (stage ../shared/data)`);
  return fs.readFileSync(file);
}

export interface BodypixModels {
  parts: ParseModel;
  persons: DetectModel;
}

/** BodyPix 0.75 and the default person detector, single-threaded sessions decided by ORT. */
export async function loadBodypixModels(): Promise<BodypixModels> {
  // Throws ModelFileError naming the file and `npm run models` when a model is missing.
  const manifest = readManifest(manifestPathFor(MODELS_DIR));
  const parts = await loadParseModel(resolveModel(manifest, 'parse', 'bodypix-075'), MODELS_DIR, {
    intraOpThreads: 0,
  });
  const persons = await loadDetectModel(resolveModel(manifest, 'detect'), MODELS_DIR, { intraOpThreads: 0 });
  return { parts, persons };
}

/**
 * Loads BodyPix 0.75 and the person detector before the suite and releases them after it;
 * the returned object holds them while its tests run.
 */
export function useBodypixModels(): BodypixModels {
  const models = {} as BodypixModels;
  beforeAll(async () => {
    Object.assign(models, await loadBodypixModels());
  });
  afterAll(async () => {
    await models.parts?.session.release();
    await models.persons?.session.release();
  });
  return models;
}
