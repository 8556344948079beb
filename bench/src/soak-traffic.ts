/**
 * The soak's traffic: a fixed mix of request kinds (fresh detect and parse jobs, cache hits,
 * and bad inputs that must be refused or fail with their code), each with the outcome it
 * must get. An open loop sends them at a fixed rate and files every outcome into the time
 * window it ended in, so latency, errors and throughput can be read over time.
 */
import zlib from 'node:zlib';
import { distinctJpeg, type BenchImage } from './images';
import { sleep } from './stats';

export type Kind = 'detect' | 'parse' | 'cached' | 'truncated' | 'not-an-image' | 'bomb' | 'no-file';

/** Share of each kind in the mix (sums to 1). */
export const MIX: Record<Kind, number> = {
  detect: 0.6,
  parse: 0.08,
  cached: 0.16,
  truncated: 0.06,
  'not-an-image': 0.04,
  bomb: 0.03,
  'no-file': 0.03,
};

/** What each kind must end as: `completed`, `cached`, `failed <code>` or `<status> <code>`. */
export const EXPECTED: Record<Kind, string> = {
  detect: 'completed',
  parse: 'completed',
  cached: 'cached',
  truncated: 'failed invalid_image',
  'not-an-image': '415 unsupported_media_type',
  bomb: '422 image_too_large',
  'no-file': '400 missing_image',
};

export interface Outcome {
  kind: Kind;
  /** What happened, in the words of `EXPECTED` (or `5xx …`, `timeout`, `network`, …). */
  got: string;
  ok: boolean;
  latencyMs: number;
  /** Time the request ended, ms since the soak started. */
  endedAtMs: number;
  /** The HTTP status of the submit (0 when there was no answer). */
  status: number;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(4 + body.length + 4);
  chunk.writeUInt32BE(data.length, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), 4 + body.length);
  return chunk;
}

/** A 700-byte PNG whose header says 100000×100000 (1-bit grey): refused from the header. */
function pngBomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr[8] = 1; // bit depth 1, greyscale
  const rows = zlib.deflateSync(Buffer.alloc(8 * (1 + 100_000 / 8)), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', rows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Picks kinds in MIX proportions, deterministically (a fixed repeating sequence of 100). */
export function kindSequence(): Kind[] {
  const seq: Kind[] = [];
  for (const [kind, share] of Object.entries(MIX) as [Kind, number][]) {
    for (let i = 0; i < Math.round(share * 100); i++) seq.push(kind);
  }
  // Interleave (stride through the list) so kinds are spread out, not in runs.
  const stride = 37; // coprime with 100
  return seq.map((_, i) => seq[(i * stride) % seq.length]);
}

export interface TrafficOptions {
  baseUrl: string;
  /** Fresh images (unique bytes each call). */
  next: () => BenchImage;
  /** Images whose detect result is already cached. */
  cachedImages: BenchImage[];
  pollMs: number;
  timeoutMs: number;
}

/** Sends one request of `kind` and reports how it ended. */
export async function sendKind(kind: Kind, opts: TrafficOptions, t0: number): Promise<Outcome> {
  const started = performance.now();
  let status = 0;
  const done = (got: string): Outcome => ({
    kind,
    got,
    ok: got === EXPECTED[kind],
    latencyMs: performance.now() - started,
    endedAtMs: performance.now() - t0,
    status,
  });
  const deadline = Date.now() + opts.timeoutMs;
  const signal = () => AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  try {
    const form = new FormData();
    form.append('task', kind === 'parse' ? 'parse' : 'detect');
    // The soak's worker loads BodyPix alone (WORKER_MODELS), not the fused default.
    if (kind === 'parse') form.append('model', 'bodypix-075');
    const file = fileFor(kind, opts);
    if (file) form.append('image', new Blob([new Uint8Array(file.bytes)], { type: 'image/jpeg' }), file.name);
    const res = await fetch(`${opts.baseUrl}/v1/jobs`, { method: 'POST', body: form, signal: signal() });
    status = res.status;
    const body = (await res.json().catch(() => ({}))) as {
      id?: string;
      status?: string;
      cached?: boolean;
      error?: { code?: string };
    };
    if (res.status === 200) return done(body.cached ? 'cached' : `200 ${body.status}`);
    if (res.status !== 202) return done(`${res.status} ${body.error?.code ?? ''}`.trim());
    for (;;) {
      await sleep(opts.pollMs);
      if (Date.now() >= deadline) return done('timeout');
      const poll = await fetch(`${opts.baseUrl}/v1/jobs/${body.id ?? ''}`, { signal: signal() });
      const view = (await poll.json().catch(() => ({}))) as { status?: string; error?: { code?: string } };
      if (poll.status !== 200) return done(`poll ${poll.status} ${view.error?.code ?? ''}`.trim());
      if (view.status === 'completed') return done('completed');
      if (view.status === 'failed' || view.status === 'canceled')
        return done(`${view.status} ${view.error?.code ?? ''}`.trim());
    }
  } catch (err) {
    const name = (err as Error).name;
    return done(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network');
  }
}

const BOMB = pngBomb();
const TEXT = Buffer.from('this is a text file pretending to be a photo\n');
let cachedTurn = 0;

function fileFor(kind: Kind, opts: TrafficOptions): BenchImage | null {
  switch (kind) {
    case 'detect':
    case 'parse':
      return opts.next();
    case 'cached':
      return opts.cachedImages[cachedTurn++ % opts.cachedImages.length];
    case 'truncated': {
      // Unique bytes (a comment segment) so failed jobs never coalesce; the scan is cut short.
      const image = opts.next();
      return { name: 'truncated.jpg', bytes: image.bytes.subarray(0, Math.floor(image.bytes.length / 2)) };
    }
    case 'not-an-image':
      return { name: 'photo.jpg', bytes: TEXT };
    case 'bomb':
      return { name: 'bomb.png', bytes: BOMB };
    case 'no-file':
      return null;
  }
}

/** Unique bytes for a cached image, once: the same bytes every time after that. */
export function cacheImage(image: BenchImage, i: number): BenchImage {
  return { name: image.name, bytes: distinctJpeg(image.bytes, `soak-cache-${i}`) };
}

/**
 * Sends `kinds` in turn at `ratePerSec` for `durationMs` whatever the answers (an open loop),
 * handing each outcome to `onOutcome` as it ends; resolves when the last one has ended.
 */
export async function openLoopMix(opts: {
  ratePerSec: number;
  durationMs: number;
  traffic: TrafficOptions;
  t0: number;
  onOutcome: (o: Outcome) => void;
}): Promise<{ sent: number; drainMs: number }> {
  const kinds = kindSequence();
  const started = performance.now();
  const total = Math.max(1, Math.round((opts.ratePerSec * opts.durationMs) / 1000));
  const inFlight = new Set<Promise<void>>();
  for (let k = 0; k < total; k++) {
    const wait = started + (k * 1000) / opts.ratePerSec - performance.now();
    if (wait > 0) await sleep(wait);
    const p = sendKind(kinds[k % kinds.length], opts.traffic, opts.t0).then((o) => {
      opts.onOutcome(o);
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  const sentAll = performance.now();
  await Promise.all(inFlight);
  return { sent: total, drainMs: performance.now() - sentAll };
}

/** `clients` closed loops over the mix for `durationMs`: how many requests per second it takes. */
export async function closedLoopMix(opts: {
  clients: number;
  durationMs: number;
  traffic: TrafficOptions;
  t0: number;
}): Promise<{ ratePerSec: number; outcomes: Outcome[] }> {
  const kinds = kindSequence();
  let k = 0;
  const outcomes: Outcome[] = [];
  const started = performance.now();
  const end = started + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (performance.now() < end)
        outcomes.push(await sendKind(kinds[k++ % kinds.length], opts.traffic, opts.t0));
    }),
  );
  const ended = outcomes.filter((o) => o.endedAtMs + opts.t0 <= end);
  return { ratePerSec: ended.length / (opts.durationMs / 1000), outcomes };
}
