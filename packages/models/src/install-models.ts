import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelEntry } from './manifest.schema';

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** Checks that a model's file is in place and has the manifest's sha256. */
export async function verifyModelFile(modelsDir: string, entry: ModelEntry): Promise<string> {
  const target = path.join(modelsDir, entry.file);
  if (!fs.existsSync(target)) {
    throw new ModelFileError(
      `model "${entry.id}": ${target} is missing. Run \`npm run models\` (MODEL_MIRROR=<folder>, or network access to its public sources; docs/models.md).`,
    );
  }
  const actual = await sha256File(target);
  if (actual !== entry.sha256) {
    throw new ModelFileError(
      `model "${entry.id}": ${target} has sha256 ${actual}, the manifest expects ${entry.sha256}. Delete it and run \`npm run models\`.`,
    );
  }
  const labels = path.join(modelsDir, entry.labels);
  if (!fs.existsSync(labels) || (await sha256File(labels)) !== entry.labelsSha256) {
    throw new ModelFileError(`model "${entry.id}": label file ${labels} is missing or has the wrong sha256`);
  }
  return target;
}
