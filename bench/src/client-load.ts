/**
 * Load through `@argus/client`, as users call the API: submit, then wait for the end through
 * the job's event stream, through long-poll (`GET /v1/jobs/:id?wait=N`), or by letting the
 * submit itself wait (`Prefer: wait=N`, what `client.detect()` does). No status polling.
 */
import { ArgusClient, ArgusError, isTerminal, type JobView } from '@argus/client';
import type { Outcome, Request } from './http-load';

/** How the client learns the end: the events stream, long-poll, or `Prefer: wait` on the submit. */
export type WaitMode = 'events' | 'long-poll' | 'prefer';

function timingsOf(view: JobView): Record<string, number> | undefined {
  return (view.result as { timings?: Record<string, number> } | undefined)?.timings;
}

function failureOf(err: unknown): string {
  if (err instanceof ArgusError) return err.code;
  const name = (err as Error).name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
}

/** `client.submit` + `client.wait` (events stream, or long-poll). A cache hit answers at once. */
export function clientRequest(baseUrl: string, fields: Record<string, string>, mode: WaitMode): Request {
  const client = new ArgusClient({ url: baseUrl, maxReconnects: 0 });
  const { task, ...options } = fields;
  return async (image, deadline) => {
    const started = performance.now();
    const done = (o: Omit<Outcome, 'latencyMs'>): Outcome => ({
      ...o,
      latencyMs: performance.now() - started,
    });
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
      const submitted = await client.submit(task === 'parse' ? 'parse' : 'detect', image.bytes, options, {
        fileName: image.name,
        signal,
        ...(mode === 'prefer' ? { waitSeconds: 30 } : {}),
      });
      const view = isTerminal(submitted)
        ? submitted
        : await client.wait(submitted.id, { signal, longPoll: mode === 'long-poll' });
      if (view.status !== 'completed') return done({ ok: false, failure: view.error?.code ?? view.status });
      return done({ ok: true, cached: view.cached, timings: timingsOf(view), polls: 0 });
    } catch (err) {
      return done({ ok: false, failure: failureOf(err) });
    }
  };
}
