/**
 * Puts each model of the manifest in place, one model at a time, and never throws for one
 * model's failure: every outcome is reported, so `npm start` can run with what it got.
 * Order of preference: the file already there (sha256 checked) → MODEL_MIRROR → the entry's
 * own `url` → its public `sources` run through its `conversion`. Every download is checked
 * against its accepted sha256 and every result against the entry's sha256 before it is put
 * in place; a file that fails a check is deleted, never renamed into place.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256File, type Manifest, type ModelEntry, type ModelSource } from '@argus/models';
import { canonicalJsonSha256 } from './canonical-json';
import { convertSources } from './convert';
import { downloadFile, type DownloadOptions } from './download';
import { mapUrl, type UrlMap } from './url-map';

export type InstallOutcome =
  | { id: string; file: string; ok: true; action: 'present' | 'copied' | 'downloaded' | 'converted' }
  | { id: string; file: string; ok: false; reason: string };

/** One bar per file; the CLI draws them with cli-progress, tests and logs get lines. */
export interface ProgressSink {
  /** A bar for one file; `initialStatus` defaults to `downloading`. */
  file(
    label: string,
    initialStatus?: string,
  ): {
    update(received: number, total?: number): void;
    done(status: string): void;
  };
}

export interface InstallOptions {
  mirrorDir?: string;
  only?: readonly string[];
  urlMap?: UrlMap;
  progress?: ProgressSink;
  log?: (line: string) => void;
  download?: Pick<DownloadOptions, 'attempts' | 'backoffMs' | 'idleTimeoutMs'>;
}

export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

const sha256Of = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

export async function installModelsFromSources(
  manifest: Manifest,
  modelsDir: string,
  opts: InstallOptions = {},
): Promise<InstallOutcome[]> {
  fs.mkdirSync(modelsDir, { recursive: true });
  const outcomes: InstallOutcome[] = [];
  for (const entry of manifest.models) {
    if (opts.only?.length && !opts.only.includes(entry.id)) continue;
    const file = path.join(modelsDir, entry.file);
    try {
      outcomes.push({ id: entry.id, file, ok: true, action: await installOne(entry, modelsDir, opts) });
    } catch (err) {
      outcomes.push({ id: entry.id, file, ok: false, reason: (err as Error).message });
    }
  }
  return outcomes;
}

async function installOne(
  entry: ModelEntry,
  modelsDir: string,
  opts: InstallOptions,
): Promise<'present' | 'copied' | 'downloaded' | 'converted'> {
  const log = opts.log ?? (() => undefined);
  const target = path.join(modelsDir, entry.file);
  if (fs.existsSync(target) && (await sha256File(target)) === entry.sha256) return 'present';
  const partial = `${target}.partial-${process.pid}`;
  const place = async (how: string): Promise<void> => {
    const actual = await sha256File(partial);
    if (actual !== entry.sha256) {
      fs.rmSync(partial, { force: true });
      throw new SourceError(
        `${entry.file} ${how} has sha256 ${actual}, the manifest expects ${entry.sha256}`,
      );
    }
    fs.renameSync(partial, target);
  };

  const mirrored = opts.mirrorDir ? path.join(opts.mirrorDir, entry.file) : undefined;
  if (mirrored && fs.existsSync(mirrored)) {
    log(`copying ${entry.file} from ${opts.mirrorDir}`);
    fs.copyFileSync(mirrored, partial);
    await place(`from ${mirrored}`);
    return 'copied';
  }
  // Shared by every model: yolov8n (converted) and yolov8n-int8 (as is) use the same download.
  const cacheDir = path.join(modelsDir, '.sources');
  if (entry.url) {
    const source: ModelSource = {
      name: entry.file,
      url: entry.url,
      sha256: [entry.sha256],
      bytes: entry.bytes,
    };
    const downloaded = await fetchSource(source, cacheDir, opts);
    fs.copyFileSync(downloaded, partial);
    await place(`from ${entry.url}`);
    return 'downloaded';
  }
  if (entry.sources.length && entry.conversion !== 'none') {
    const files = new Map<string, string>();
    for (const source of entry.sources) files.set(source.name, await fetchSource(source, cacheDir, opts));
    const bar = opts.progress?.file(`${entry.file} (${entry.conversion})`, 'converting');
    let bytes: Buffer;
    try {
      bytes = convertSources(entry, files);
    } catch (err) {
      bar?.done('conversion failed');
      throw new SourceError(`converting ${entry.id} failed: ${(err as Error).message}`);
    }
    fs.writeFileSync(partial, bytes);
    try {
      await place('as converted');
    } catch (err) {
      bar?.done('sha256 mismatch');
      throw err;
    }
    bar?.done('converted, sha256 ok');
    return 'converted';
  }
  throw new SourceError(
    `${entry.file} is not in the mirror (${opts.mirrorDir || 'MODEL_MIRROR not set'}) and has no public source`,
  );
}

/**
 * A verified copy of one source in the cache: reused when its digest is accepted, otherwise
 * downloaded (through MODEL_URL_MAP) and checked; a download that fails the check is deleted.
 */
async function fetchSource(source: ModelSource, cacheDir: string, opts: InstallOptions): Promise<string> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const dest = path.join(cacheDir, `${source.sha256[0].slice(0, 16)}-${source.name}`);
  if (fs.existsSync(dest) && accepted(source, fs.readFileSync(dest))) return dest;
  fs.rmSync(dest, { force: true });
  const url = mapUrl(source.url, opts.urlMap ?? []);
  const bar = opts.progress?.file(source.name);
  const incoming = `${dest}.incoming`;
  try {
    await downloadFile(url, incoming, {
      ...opts.download,
      onProgress: (p) => bar?.update(p.received, p.total ?? source.bytes),
      onRetry: (n, why) => opts.log?.(`${source.name}: attempt ${n} failed (${why}); resuming`),
    });
  } catch (err) {
    bar?.done('failed');
    throw err;
  }
  const bytes = fs.readFileSync(incoming);
  if (!accepted(source, bytes)) {
    fs.rmSync(incoming, { force: true });
    bar?.done('sha256 mismatch');
    throw new SourceError(
      `${url} gave ${bytes.length} bytes with sha256 ${sha256Of(bytes)}, which is not an accepted digest of ${source.name} (${source.sha256.join(', ')})`,
    );
  }
  fs.renameSync(incoming, dest);
  bar?.done('sha256 ok');
  return dest;
}

function accepted(source: ModelSource, bytes: Buffer): boolean {
  if (source.sha256.includes(sha256Of(bytes))) return true;
  if (!source.jsonSha256) return false;
  try {
    return canonicalJsonSha256(bytes) === source.jsonSha256;
  } catch {
    return false;
  }
}
