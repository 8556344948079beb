/// <reference lib="dom" />
/**
 * The page's calls, all through `@argus/client` (bundled in): `POST /v1/jobs`,
 * `GET /v1/jobs/{id}`, the job's event stream, its images and `GET /readyz`. The page has no
 * HTTP code of its own; every refusal is the client's `ArgusError`.
 */
import { ArgusClient, ArgusError, errorFromAnswer, type JobView, type ModelState } from '@argus/client';
import type { Fields } from './options.catalog.js';

export { ArgusError };
export type { JobView, ModelState };

export interface Readiness {
  ready: boolean;
  workers: number;
  models: string[];
  modelStatus: ModelState[];
  message: string;
}

let apiKey = '';

/**
 * The key sent as `Authorization: Bearer <key>` when the server requires one; empty for an
 * open API. Images are fetched with it too, which is why they are never plain `<img src>`.
 */
export function setApiKey(key: string): void {
  apiKey = key.trim();
}

export function hasApiKey(): boolean {
  return apiKey !== '';
}

/** A client for the page's own origin with the current key. */
const client = () => new ArgusClient({ url: '', apiKey });

/** Anything thrown, as the client's error (a non-client failure is `network`). */
export function asFailure(err: unknown): ArgusError {
  return err instanceof ArgusError ? err : new ArgusError('network', String(err), 0);
}

/** The key itself, for what cannot send headers (a WebSocket offers it as a subprotocol). */
export function currentApiKey(): string {
  return apiKey;
}

/** A request to the page's own origin with the key (the stream views' calls). */
export async function send(
  input: string,
  init: RequestInit = {},
  accept = 'application/json',
): Promise<Response> {
  try {
    return await fetch(input, {
      ...init,
      headers: {
        Accept: accept,
        ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  } catch (err) {
    throw new ArgusError('network', `the gateway did not answer (${(err as Error).message})`, 0);
  }
}

/** `send`, answering the JSON body; a refusal is the client's `ArgusError`. */
export async function request(input: string, init?: RequestInit): Promise<unknown> {
  const res = await send(input, init);
  const text = await res.text();
  if (!res.ok) throw errorFromAnswer(res.status, text, res.headers.get('retry-after'));
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** A job's image (`links.overlay`, `links.labels`, …) as a Blob. */
export async function fetchImage(link: string, type = 'image/png'): Promise<Blob> {
  const bytes = await client().artifact('', link);
  return new Blob([bytes as BlobPart], { type });
}

/** `POST /v1/jobs`: 202 with a queued job, or 200 with a cached, completed one. */
export async function submitJob(image: Blob, fileName: string, fields: Fields): Promise<JobView> {
  const task = fields.find(([name]) => name === 'task')?.[1];
  if (task !== 'detect' && task !== 'parse' && task !== 'segment')
    throw new Error(`no task in ${fields.join()}`);
  const options = Object.fromEntries(fields.filter(([name]) => name !== 'task'));
  return client().submit(task, image, options, { fileName });
}

/**
 * Follows a job until it ends through its event stream (the client's `wait`: it reconnects
 * after a gateway restart and falls back to long-poll), calling `onProgress` at each step.
 */
export function followJob(
  id: string,
  onProgress: (view: JobView) => void,
  signal?: AbortSignal,
): Promise<JobView> {
  return client().wait(id, { signal, onProgress });
}

export function getJob(id: string): Promise<JobView> {
  return client().get(id);
}

function missingNote(states: readonly ModelState[]): string {
  const missing = states.filter((m) => m.status === 'missing').length;
  return missing ? ` · ${missing} model${missing === 1 ? '' : 's'} not installed` : '';
}

/** `GET /readyz`; a 503 is an answer here (not ready), not a failure. */
export async function getReadiness(): Promise<Readiness> {
  try {
    const body = await client().readiness();
    const modelStatus = body.modelStatus ?? [];
    if (body.status === 'ready') {
      const workers = body.workers;
      return {
        ready: true,
        workers,
        models: body.models,
        modelStatus,
        message: `Ready · ${workers} worker${workers === 1 ? '' : 's'}${missingNote(modelStatus)}`,
      };
    }
    const message = /worker/.test(body.error.message)
      ? 'No worker running: jobs will wait'
      : 'Not ready: the job store is unreachable';
    return { ready: false, workers: 0, models: [], modelStatus, message };
  } catch (err) {
    const e = asFailure(err);
    const message = e.code === 'network' ? 'Gateway unreachable' : 'Not ready: the job store is unreachable';
    return { ready: false, workers: 0, models: [], modelStatus: [], message };
  }
}
