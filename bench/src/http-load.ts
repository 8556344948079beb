/**
 * A small load generator on Node's own fetch (undici, keep-alive, loopback only): closed
 * loops (N clients, each sends its next request when the previous one is answered) and open
 * loops (requests at a fixed rate whatever happens, for overload). Everything is bounded by
 * a duration and a per-request deadline.
 */
import { sleep } from './stats';
import type { BenchImage } from './images';

export interface Outcome {
  ok: boolean;
  /** Submit to answer (or to the poll that saw the job finish), ms. */
  latencyMs: number;
  /** Why it failed: an error code, `http_<status>`, `timeout` or `network`. */
  failure?: string;
  cached?: boolean;
  /** `result.timings` of a finished job. */
  timings?: Record<string, number>;
  /** `GET /v1/jobs/:id` requests it took. */
  polls?: number;
}

export type Request = (image: BenchImage, deadline: number) => Promise<Outcome>;

function form(fieldName: string, image: BenchImage, fields: Record<string, string>): FormData {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  body.append(fieldName, new Blob([new Uint8Array(image.bytes)], { type: 'image/jpeg' }), image.name);
  return body;
}

/** The parts of the gateway's answers the load generator reads. */
interface AnswerBody {
  id?: string;
  status?: string;
  error?: { code?: string };
  result?: { timings?: Record<string, number> };
}

async function json(res: Response): Promise<AnswerBody> {
  const text = await res.text();
  try {
    return JSON.parse(text) as AnswerBody;
  } catch {
    return {};
  }
}

const remaining = (deadline: number) => Math.max(1, deadline - Date.now());

/**
 * The platform's asynchronous API: `POST /v1/jobs`, then `GET /v1/jobs/:id` until the job
 * has finished, as a polite client polls: first after `poll.firstMs`, then backing off by
 * ×1.25 up to `poll.maxMs` (so a measured latency is at most 25 % or `maxMs` late). A cache
 * hit answers at once.
 */
export function platformRequest(
  baseUrl: string,
  fields: Record<string, string>,
  poll: { firstMs: number; maxMs: number },
): Request {
  return async (image, deadline) => {
    const started = performance.now();
    let polls = 0;
    const done = (o: Omit<Outcome, 'latencyMs'>): Outcome => ({
      ...o,
      polls,
      latencyMs: performance.now() - started,
    });
    try {
      const submit = await fetch(`${baseUrl}/v1/jobs`, {
        method: 'POST',
        body: form('image', image, fields),
        signal: AbortSignal.timeout(remaining(deadline)),
      });
      const body = await json(submit);
      if (submit.status === 200)
        return done({ ok: body.status === 'completed', cached: true, timings: body.result?.timings });
      if (submit.status !== 202)
        return done({ ok: false, failure: body.error?.code ?? `http_${submit.status}` });
      for (let wait = poll.firstMs; ; wait = Math.min(poll.maxMs, wait * 1.25)) {
        await sleep(wait);
        if (Date.now() >= deadline) return done({ ok: false, failure: 'timeout' });
        polls++;
        const res = await fetch(`${baseUrl}/v1/jobs/${body.id ?? ''}`, {
          signal: AbortSignal.timeout(remaining(deadline)),
        });
        const view = await json(res);
        if (res.status !== 200) return done({ ok: false, failure: view.error?.code ?? `http_${res.status}` });
        if (view.status === 'completed') return done({ ok: true, timings: view.result?.timings });
        if (view.status === 'failed') return done({ ok: false, failure: view.error?.code ?? 'failed' });
      }
    } catch (err) {
      const name = (err as Error).name;
      return done({
        ok: false,
        failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
      });
    }
  };
}

/**
 * `POST /detect` (multipart `file`), answered when the model has run: the inline baseline's
 * only route, and the platform's synchronous endpoint (it waits on BullMQ's queue events
 * instead of polling, so its latency has no poll interval in it).
 */
export function syncDetectRequest(baseUrl: string, fields: Record<string, string> = {}): Request {
  return async (image, deadline) => {
    const started = performance.now();
    const done = (o: Omit<Outcome, 'latencyMs'>): Outcome => ({
      ...o,
      latencyMs: performance.now() - started,
    });
    try {
      const res = await fetch(`${baseUrl}/detect`, {
        method: 'POST',
        body: form('file', image, fields),
        signal: AbortSignal.timeout(remaining(deadline)),
      });
      const body = await json(res);
      return res.status === 200
        ? done({ ok: true })
        : done({ ok: false, failure: body.error?.code ?? `http_${res.status}` });
    } catch (err) {
      const name = (err as Error).name;
      return done({
        ok: false,
        failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
      });
    }
  };
}

export interface LoadResult {
  /** Measurement window, ms (warm-up excluded). */
  windowMs: number;
  /** Requests answered successfully inside the window, per second. */
  throughput: number;
  /** Latencies of successful requests started inside the window. */
  latencies: number[];
  completed: number;
  /** Every successful request, in the window or not (warm-up and the tail included). */
  succeeded: number;
  failures: Record<string, number>;
  /** `result.timings` of the successful requests started inside the window. */
  timings: Record<string, number>[];
  /** Status polls of the successful requests started inside the window. */
  polls: number;
  /** Requests sent (open loop: offered). */
  sent: number;
}

function tally(failures: Record<string, number>, reason: string): void {
  failures[reason] = (failures[reason] ?? 0) + 1;
}

/**
 * `clients` concurrent clients for `warmupMs + durationMs`; only the last `durationMs`
 * counts. Each request may take up to `timeoutMs`; the loop waits for the last ones.
 */
export async function closedLoop(opts: {
  clients: number;
  warmupMs: number;
  durationMs: number;
  timeoutMs: number;
  request: Request;
  next: () => BenchImage;
}): Promise<LoadResult> {
  const t0 = performance.now();
  const windowStart = t0 + opts.warmupMs;
  const windowEnd = windowStart + opts.durationMs;
  const result = emptyResult(opts.durationMs);
  const client = async () => {
    while (performance.now() < windowEnd) {
      const startedAt = performance.now();
      const outcome = await opts.request(opts.next(), Date.now() + opts.timeoutMs);
      const endedAt = performance.now();
      if (startedAt >= windowStart) result.sent++;
      if (!outcome.ok) {
        if (startedAt >= windowStart) tally(result.failures, outcome.failure ?? 'failed');
        continue;
      }
      result.succeeded++;
      if (endedAt >= windowStart && endedAt <= windowEnd) result.completed++;
      if (startedAt >= windowStart) {
        result.polls += outcome.polls ?? 0;
        result.latencies.push(outcome.latencyMs);
        if (outcome.timings) result.timings.push(outcome.timings);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, client));
  result.throughput = result.completed / (opts.durationMs / 1000);
  return result;
}

/** A load run's tallies before its first request. */
function emptyResult(windowMs: number): LoadResult {
  return {
    windowMs,
    throughput: 0,
    latencies: [],
    completed: 0,
    succeeded: 0,
    failures: {},
    timings: [],
    polls: 0,
    sent: 0,
  };
}

/**
 * Sends requests at `ratePerSec` for `durationMs` whatever the answers (an open loop, as
 * real traffic is), each with `timeoutMs`, and waits for every one to end. Throughput counts
 * every success until the last request ends, over the time from the first send.
 */
export async function openLoop(opts: {
  ratePerSec: number;
  durationMs: number;
  timeoutMs: number;
  request: Request;
  next: () => BenchImage;
}): Promise<LoadResult & { drainMs: number }> {
  const result = emptyResult(opts.durationMs);
  const t0 = performance.now();
  const total = Math.max(1, Math.round((opts.ratePerSec * opts.durationMs) / 1000));
  const inFlight: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / opts.ratePerSec;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    result.sent++;
    const image = opts.next();
    inFlight.push(
      opts.request(image, Date.now() + opts.timeoutMs).then((outcome) => {
        if (!outcome.ok) return tally(result.failures, outcome.failure ?? 'failed');
        result.completed++;
        result.succeeded++;
        result.latencies.push(outcome.latencyMs);
        if (outcome.timings) result.timings.push(outcome.timings);
      }),
    );
  }
  const sentAll = performance.now();
  await Promise.all(inFlight);
  const ended = performance.now();
  result.windowMs = ended - t0;
  result.throughput = result.completed / ((ended - t0) / 1000);
  return { ...result, drainMs: ended - sentAll };
}

/** Times `GET url` every `everyMs` until stopped: how responsive a server stays under load. */
export function probe(url: string, everyMs: number, timeoutMs: number): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        samples.push(performance.now() - started);
      } catch {
        samples.push(timeoutMs);
      }
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
