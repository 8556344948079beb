import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Manifest, ModelEntry } from './manifest.schema';

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
      `model "${entry.id}": ${target} is missing. Run \`npm run models\` (MODEL_MIRROR=<folder> or network access to its url).`,
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

export interface InstallReport {
  id: string;
  file: string;
  action: 'present' | 'copied' | 'downloaded';
}

/**
 * Puts every model of the manifest in `modelsDir`: keeps a file whose sha256 matches,
 * otherwise copies it from `mirrorDir` or downloads it from its url, and verifies the
 * sha256 of what arrived before moving it into place (a half-written or wrong file never
 * ends up under the final name).
 */
export async function installModels(
  manifest: Manifest,
  modelsDir: string,
  opts: { mirrorDir?: string; only?: readonly string[]; log?: (line: string) => void } = {},
): Promise<InstallReport[]> {
  const log = opts.log ?? (() => undefined);
  const reports: InstallReport[] = [];
  const problems: string[] = [];
  fs.mkdirSync(modelsDir, { recursive: true });
  for (const entry of manifest.models) {
    if (opts.only?.length && !opts.only.includes(entry.id)) continue;
    try {
      reports.push(await installOne(entry, modelsDir, opts.mirrorDir, log));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ModelFileError(problems.join('\n'));
  return reports;
}

async function installOne(
  entry: ModelEntry,
  modelsDir: string,
  mirrorDir: string | undefined,
  log: (line: string) => void,
): Promise<InstallReport> {
  const target = path.join(modelsDir, entry.file);
  if (fs.existsSync(target) && (await sha256File(target)) === entry.sha256) {
    return { id: entry.id, file: target, action: 'present' };
  }
  const partial = `${target}.partial-${process.pid}`;
  let action: InstallReport['action'];
  const mirrored = mirrorDir ? path.join(mirrorDir, entry.file) : undefined;
  if (mirrored && fs.existsSync(mirrored)) {
    log(`copying ${entry.file} from ${mirrorDir}`);
    fs.copyFileSync(mirrored, partial);
    action = 'copied';
  } else if (entry.url) {
    log(`downloading ${entry.file} from ${entry.url}`);
    await download(entry.url, partial);
    action = 'downloaded';
  } else {
    throw new ModelFileError(
      `model "${entry.id}": ${entry.file} is not in the mirror (${mirrorDir || 'MODEL_MIRROR not set'}) and has no download url (${entry.source})`,
    );
  }
  const actual = await sha256File(partial);
  if (actual !== entry.sha256) {
    fs.rmSync(partial, { force: true });
    throw new ModelFileError(
      `model "${entry.id}": ${entry.file} from ${action === 'copied' ? mirrored : entry.url} has sha256 ${actual}, expected ${entry.sha256}`,
    );
  }
  fs.renameSync(partial, target);
  return { id: entry.id, file: target, action };
}

async function download(url: string, dest: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    throw new ModelFileError(`cannot download ${url}: ${(err as Error).message}`);
  }
  if (!response.ok || !response.body)
    throw new ModelFileError(`cannot download ${url}: HTTP ${response.status}`);
  fs.writeFileSync(dest, Buffer.from(await response.arrayBuffer()));
}
