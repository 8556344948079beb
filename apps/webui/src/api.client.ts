/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The public API, as any client calls it: `POST /v1/jobs`, `GET /v1/jobs/{id}`, the job's
 * event stream (through `@argus/client`, compiled in from packages/client) and
 * `GET /readyz`. Nothing here is private to the page.
 */
import { ArgusClient } from '../../../packages/client/src/argus-client.js';
import { ArgusError } from '../../../packages/client/src/api-error.js';
import type { ApiFailure } from './error-messages.js';
import type { Fields, Task } from './options.catalog.js';

export interface JobView {
  id: string;
  task: Task;
  /** `queued | active | completed | failed`; later API versions may add states. */
  status: string;
  progress: { stage: string; percent: number };
  cached: boolean;
  md5: string;
  model: string;
  result?: unknown;
  error?: { code: string; message: string };
  createdAt: string;
  finishedAt: string | null;
  timings: { queuedMs?: number; processingMs?: number; totalMs?: number; attempts?: number };
  links: { self: string; overlay?: string; labels?: string; masks?: string[] };
}

/** One model's state from `/readyz`: loaded by a live worker, not installed (why), or not loaded. */
export interface ModelState {
  id: string;
  status: 'ready' | 'missing' | 'not_loaded';
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  workers: number;
  models: string[];
  modelStatus: ModelState[];
  message: string;
}

/** An answer that is not the one asked for, as `{status, code, message}`. */
export class ApiError extends Error implements ApiFailure {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From `Retry-After` (429, 503), when the server sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
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

/** The key itself, for what cannot send headers (a WebSocket offers it as a subprotocol). */
export function currentApiKey(): string {
  return apiKey;
}

function withKey(headers: Record<string, string> = {}): Record<string, string> {
  return apiKey ? { ...headers, Authorization: `Bearer ${apiKey}` } : headers;
}

async function failureOf(res: Response, text: string): Promise<ApiError> {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const retryAfter = Number(res.headers.get('retry-after'));
  return new ApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : `http_${res.status}`,
    typeof error?.message === 'string' ? error.message : text.slice(0, 200) || res.statusText,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

export async function send(
  input: string,
  init: RequestInit = {},
  accept = 'application/json',
): Promise<Response> {
  try {
    return await fetch(input, {
      ...init,
      headers: withKey({ Accept: accept, ...(init.headers as Record<string, string> | undefined) }),
    });
  } catch (err) {
    throw new ApiError(0, 'network', `the gateway did not answer (${(err as Error).message})`);
  }
}

export const TERMINAL_STATUSES = new Set(['completed', 'failed', 'canceled']);

export async function request(input: string, init?: RequestInit): Promise<unknown> {
  const res = await send(input, init);
  const text = await res.text();
  if (!res.ok) throw await failureOf(res, text);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** A job's image (`links.overlay`, `links.labels`, …) as a Blob. */
export async function fetchImage(link: string): Promise<Blob> {
  const res = await send(link, {}, 'image/png');
  if (!res.ok) throw await failureOf(res, await res.text());
  return res.blob();
}

/** `POST /v1/jobs`: 202 with a queued job, or 200 with a cached, completed one. */
export async function submitJob(image: Blob, fileName: string, fields: Fields): Promise<JobView> {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  form.append('image', image, fileName);
  return (await request('/v1/jobs', { method: 'POST', body: form })) as JobView;
}

/**
 * Follows a job until it ends through its event stream (`@argus/client`'s `wait`: it
 * reconnects after a gateway restart and falls back to long-poll), calling `onProgress` at
 * each step. Answers the final view; refusals become ApiError as everywhere on the page.
 */
export async function followJob(
  id: string,
  onProgress: (view: JobView) => void,
  signal?: AbortSignal,
): Promise<JobView> {
  const client = new ArgusClient({ url: '', apiKey });
  try {
    return await client.wait(id, { signal, onProgress: (view) => onProgress(view) });
  } catch (err) {
    if (err instanceof ArgusError)
      throw new ApiError(err.status, err.code, err.message, err.retryAfterSeconds);
    throw err;
  }
}

export async function getJob(id: string): Promise<JobView> {
  return (await request(`/v1/jobs/${encodeURIComponent(id)}`)) as JobView;
}

function missingNote(states: readonly ModelState[]): string {
  const missing = states.filter((m) => m.status === 'missing').length;
  return missing ? ` · ${missing} model${missing === 1 ? '' : 's'} not installed` : '';
}

/** `GET /readyz`; a 503 is an answer here (not ready), not a failure. */
export async function getReadiness(): Promise<Readiness> {
  try {
    const body = (await request('/readyz')) as {
      workers: number;
      models?: string[];
      modelStatus?: ModelState[];
    };
    const workers = body.workers;
    return {
      ready: true,
      workers,
      models: body.models ?? [],
      modelStatus: body.modelStatus ?? [],
      message: `Ready · ${workers} worker${workers === 1 ? '' : 's'}${missingNote(body.modelStatus ?? [])}`,
    };
  } catch (err) {
    const e = err as ApiError;
    const message =
      e.code === 'network'
        ? 'Gateway unreachable'
        : /worker/.test(e.message)
          ? 'No worker running: jobs will wait'
          : 'Not ready: the job store is unreachable';
    return { ready: false, workers: 0, models: [], modelStatus: [], message };
  }
}
