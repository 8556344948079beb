import fs from 'node:fs/promises';
import path from 'node:path';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** A usage mistake (exit code 2), as opposed to a job or request that failed (exit code 1). */
export class UsageError extends Error {}

export interface Inputs {
  files: string[];
  /** A folder was given: worth a progress bar. */
  fromFolder: boolean;
}

/** Files as given, folders as the images directly inside them (sorted), in argument order. */
export async function expandInputs(paths: string[]): Promise<Inputs> {
  const files: string[] = [];
  let fromFolder = false;
  for (const given of paths) {
    const stat = await fs.stat(given).catch(() => null);
    if (!stat) throw new UsageError(`${given}: no such file or folder`);
    if (stat.isDirectory()) {
      fromFolder = true;
      const names = (await fs.readdir(given)).filter((n) =>
        IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase()),
      );
      files.push(...names.sort().map((n) => path.join(given, n)));
    } else files.push(given);
  }
  if (files.length === 0)
    throw new UsageError('no images found (JPEG, PNG or WebP files, or folders of them)');
  return { files, fromFolder };
}

/** `-O key=value` pairs as task options. */
export function parseOptionPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option ${pair}: expected key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Runs `work` over `items` with at most `limit` in flight, in order of start. */
export async function runPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
