/**
 * A download that survives a dropped connection: bytes go to `<dest>.part`; after a failure
 * the next attempt asks for the rest with `Range: bytes=<have>-` and appends when the server
 * answers 206 (a 200 starts over). The caller checks the sha256 before using the file.
 */
import fs from 'node:fs';
import { once } from 'node:events';

export interface DownloadProgress {
  received: number;
  /** Total size when the server said it (Content-Length / Content-Range), else undefined. */
  total?: number;
}

export interface DownloadOptions {
  /** Attempts in all (first try included). */
  attempts?: number;
  /** Delay before retry n is `backoffMs · 2^(n−1)`. */
  backoffMs?: number;
  /** A connection that sends nothing for this long counts as broken. */
  idleTimeoutMs?: number;
  onProgress?: (p: DownloadProgress) => void;
  onRetry?: (attempt: number, reason: string) => void;
}

export class DownloadError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot download ${url}: ${reason}`);
    this.name = 'DownloadError';
  }
}

/** Downloads `url` to `dest` (via `dest.part`), resuming after broken connections. */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const attempts = opts.attempts ?? 5;
  const backoffMs = opts.backoffMs ?? 500;
  const part = `${dest}.part`;
  let lastError = '';
  let tried = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    tried = attempt;
    try {
      await attemptDownload(url, part, opts);
      fs.renameSync(part, dest);
      return;
    } catch (err) {
      lastError = err instanceof DownloadError ? err.reason : (err as Error).message;
      // A 4xx other than 416 will not change on retry (wrong URL, no access).
      if (/^HTTP 4(?!16)\d\d/.test(lastError)) break;
      if (attempt < attempts) {
        opts.onRetry?.(attempt, lastError);
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
      }
    }
  }
  throw new DownloadError(url, `${lastError} (${tried} attempt${tried === 1 ? '' : 's'})`);
}

async function attemptDownload(url: string, part: string, opts: DownloadOptions): Promise<void> {
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  const controller = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  let idle = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  try {
    const response = await fetch(url, {
      redirect: 'follow',
      signal: controller.signal,
      headers: have > 0 ? { range: `bytes=${have}-` } : {},
    });
    if (response.status === 416 && have > 0) {
      // The part file already holds everything (or more): start over rather than guess.
      fs.rmSync(part, { force: true });
      throw new DownloadError(url, 'HTTP 416 on resume; starting over');
    }
    if (!response.ok || !response.body) throw new DownloadError(url, `HTTP ${response.status}`);
    const resumed = response.status === 206;
    let received = resumed ? have : 0;
    const total = totalOf(response, resumed ? have : 0);
    const out = fs.createWriteStream(part, { flags: resumed ? 'a' : 'w' });
    try {
      opts.onProgress?.({ received, total });
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        if (!out.write(chunk)) await once(out, 'drain');
        received += chunk.length;
        opts.onProgress?.({ received, total });
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    if (total !== undefined && received !== total) {
      throw new DownloadError(url, `connection closed after ${received} of ${total} bytes`);
    }
  } catch (e) {
    if (e instanceof DownloadError) throw e;
    const cause = (e as Error & { cause?: Error }).cause;
    throw new DownloadError(url, cause ? `${(e as Error).message} (${cause.message})` : (e as Error).message);
  } finally {
    clearTimeout(idle);
  }
}

function totalOf(response: Response, offset: number): number | undefined {
  const range = response.headers.get('content-range');
  const m = range ? /\/(\d+)$/.exec(range) : null;
  if (m) return Number(m[1]);
  const len = response.headers.get('content-length');
  return len ? offset + Number(len) : undefined;
}
