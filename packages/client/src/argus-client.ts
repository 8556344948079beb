import { ArgusError, errorFromAnswer } from './api-error.js';
import { readEventStream } from './sse-reader.js';
import {
  isTerminal,
  type DetectResult,
  type JobView,
  type ModelList,
  type NotReady,
  type Ready,
  type ParseResult,
  type SegmentResult,
  type Task,
} from './types.js';

export interface ArgusClientOptions {
  /** The gateway, e.g. `http://localhost:3000`; `''` for the page's own origin in a browser. */
  url: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
  /** Seconds each long-poll request holds when the event stream is not available. Default 30. */
  longPollSeconds?: number;
  /** Reconnections in a row (stream ended early, no answer, 503) before `wait` gives up. Default 8. */
  maxReconnects?: number;
}

/** An image as bytes or a Blob (a browser File is a Blob). */
export type ImageInput = Blob | ArrayBuffer | Uint8Array;

/** Task options as form fields (`confidence`, `model`, `overlay`, …); see the API's docs. */
export type TaskOptions = Record<string, string | number | boolean | undefined>;

export interface SubmitRequestOptions {
  /** The file name sent with the image. Default `image`. */
  fileName?: string;
  callbackUrl?: string;
  callbackEvents?: ('completed' | 'failed' | 'canceled')[];
  priority?: 'high' | 'normal' | 'low';
  idempotencyKey?: string;
  /** `Prefer: wait=N`: the answer is held until the job ends, for up to N seconds (max 60). */
  waitSeconds?: number;
  signal?: AbortSignal;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Called with the job's view at each progress event (queued, decoding, inference, …). */
  onProgress?: (view: JobView) => void;
  /** Skip the event stream and long-poll (also the fallback when the stream is unavailable). */
  longPoll?: boolean;
}

/**
 * The Argus API from Node 20+ or a browser, with nothing but fetch. `wait` follows a job's
 * event stream (falling back to long-poll) and reconnects across a gateway restart; every
 * refusal and every failed job is an `ArgusError` carrying the API's error code.
 */
export class ArgusClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ArgusClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    // Bound to globalThis: browsers refuse a fetch called on another object.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** `POST /v1/jobs`: the job as queued (202), or already finished (a cache hit, or `waitSeconds`). */
  async submit(
    task: Task,
    image: ImageInput,
    options: TaskOptions = {},
    request: SubmitRequestOptions = {},
  ): Promise<JobView> {
    const form = new FormData();
    form.append('task', task);
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined) form.append(name, String(value));
    }
    if (request.callbackUrl) form.append('callbackUrl', request.callbackUrl);
    if (request.callbackEvents) form.append('callbackEvents', request.callbackEvents.join(','));
    if (request.priority) form.append('priority', request.priority);
    const blob = image instanceof Blob ? image : new Blob([image as BlobPart]);
    form.append('image', blob, request.fileName ?? 'image');
    const headers: Record<string, string> = {};
    if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;
    if (request.waitSeconds !== undefined) headers.Prefer = `wait=${Math.round(request.waitSeconds)}`;
    return this.json<JobView>('/v1/jobs', { method: 'POST', body: form, headers, signal: request.signal });
  }

  /** `GET /v1/models`: the server's models (manifest order), their defaults and where they are loaded. */
  async models(signal?: AbortSignal): Promise<ModelList> {
    return this.json<ModelList>('/v1/models', { signal });
  }

  /** `GET /readyz`: ready (200) or not (503, with why); both are answers here, not failures. */
  async readiness(signal?: AbortSignal): Promise<Ready | NotReady> {
    const res = await this.send('/readyz', { headers: { Accept: 'application/json' }, signal });
    const text = await res.text();
    if (res.status !== 200 && res.status !== 503)
      throw errorFromAnswer(res.status, text, res.headers.get('retry-after'));
    try {
      return JSON.parse(text) as Ready | NotReady;
    } catch {
      throw errorFromAnswer(res.status, text, res.headers.get('retry-after'));
    }
  }

  /** `GET /v1/jobs/:id`, or with `waitSeconds` a long-poll that answers once the job ends. */
  async get(id: string, opts: { waitSeconds?: number; signal?: AbortSignal } = {}): Promise<JobView> {
    const query = opts.waitSeconds ? `?wait=${opts.waitSeconds}` : '';
    return this.json<JobView>(`/v1/jobs/${encodeURIComponent(id)}${query}`, { signal: opts.signal });
  }

  /** Waits until the job ends and answers its final view (completed, failed or canceled). */
  async wait(id: string, opts: WaitOptions = {}): Promise<JobView> {
    if (opts.longPoll) return this.longPoll(id, opts);
    let lastEventId = '';
    let failures = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      let res: Response;
      try {
        res = await this.send(`/v1/jobs/${encodeURIComponent(id)}/events`, { headers, signal: opts.signal });
      } catch (err) {
        failures = await this.backOff(err as ArgusError, failures, opts.signal);
        continue;
      }
      // 204: the terminal event was seen before a reconnection; read the final view.
      if (res.status === 204) return this.get(id, { signal: opts.signal });
      if (!res.ok) {
        const error = errorFromAnswer(res.status, await res.text(), res.headers.get('retry-after'));
        if (error.retryable) {
          failures = await this.backOff(error, failures, opts.signal);
          continue;
        }
        // An older gateway without the stream: long-poll instead.
        if (error.code === `http_404` || error.status === 405 || error.status === 406) {
          return this.longPoll(id, opts);
        }
        throw error;
      }
      if (!res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        await res.body?.cancel();
        return this.longPoll(id, opts);
      }
      try {
        for await (const event of readEventStream(res.body)) {
          failures = 0;
          if (event.id) lastEventId = event.id;
          if (event.event === 'progress') opts.onProgress?.(JSON.parse(event.data) as JobView);
          else if (['completed', 'failed', 'canceled'].includes(event.event)) {
            return JSON.parse(event.data) as JobView;
          }
        }
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        void err; // the connection broke mid-stream: reconnect below
      }
      // The stream ended before the job did (the gateway restarted): reconnect and resume.
      failures = await this.backOff(
        new ArgusError('network', 'the event stream ended before the job did', 0),
        failures,
        opts.signal,
      );
    }
  }

  /** Submits a detection and waits for it; a failed job throws its ArgusError. */
  async detect(
    image: ImageInput,
    options: TaskOptions = {},
    request: SubmitRequestOptions & Pick<WaitOptions, 'onProgress'> = {},
  ): Promise<JobView<DetectResult>> {
    return this.run('detect', image, options, request) as Promise<JobView<DetectResult>>;
  }

  /** Submits a human parse and waits for it; images via `artifact(view.id, 'overlay.png')`. */
  async parse(
    image: ImageInput,
    options: TaskOptions = {},
    request: SubmitRequestOptions & Pick<WaitOptions, 'onProgress'> = {},
  ): Promise<JobView<ParseResult>> {
    return this.run('parse', image, options, request) as Promise<JobView<ParseResult>>;
  }

  /** Submits an instance segmentation and waits for it; masks via `view.links.masks`. */
  async segment(
    image: ImageInput,
    options: TaskOptions = {},
    request: SubmitRequestOptions & Pick<WaitOptions, 'onProgress'> = {},
  ): Promise<JobView<SegmentResult>> {
    return this.run('segment', image, options, request) as Promise<JobView<SegmentResult>>;
  }

  /**
   * A job's image: `overlay.png`, `labels.png` or `persons/<n>/mask.png` (or a link from
   * `view.links`). 409 `not_ready` while the job runs.
   */
  async artifact(id: string, name: string, signal?: AbortSignal): Promise<Uint8Array> {
    const path = name.startsWith('/') ? name : `/v1/jobs/${encodeURIComponent(id)}/${name}`;
    const res = await this.send(path, { headers: { Accept: 'image/png' }, signal });
    if (!res.ok) throw errorFromAnswer(res.status, await res.text(), res.headers.get('retry-after'));
    return new Uint8Array(await res.arrayBuffer());
  }

  /** `DELETE /v1/jobs/:id`: a queued job ends `canceled` at once; a running one stops at its next stage. */
  async cancel(id: string, signal?: AbortSignal): Promise<JobView> {
    return this.json<JobView>(`/v1/jobs/${encodeURIComponent(id)}`, { method: 'DELETE', signal });
  }

  private async run(
    task: Task,
    image: ImageInput,
    options: TaskOptions,
    request: SubmitRequestOptions & Pick<WaitOptions, 'onProgress'>,
  ): Promise<JobView> {
    // Prefer: wait lets one request carry the whole job when it is quick.
    const submitted = await this.submit(task, image, options, { waitSeconds: 30, ...request });
    const view = isTerminal(submitted)
      ? submitted
      : await this.wait(submitted.id, { signal: request.signal, onProgress: request.onProgress });
    if (view.status !== 'completed') {
      const error = view.error ?? { code: 'internal', message: `job ${view.id} ${view.status}` };
      const failure = errorFromAnswer(0, JSON.stringify({ error }), null);
      throw new ArgusError(failure.code, failure.message, 0, undefined, view.id);
    }
    return view;
  }

  private async longPoll(id: string, opts: WaitOptions): Promise<JobView> {
    let failures = 0;
    let last = '';
    for (;;) {
      let view: JobView;
      try {
        view = await this.get(id, { waitSeconds: this.options.longPollSeconds ?? 30, signal: opts.signal });
      } catch (err) {
        const error = err as ArgusError;
        if (!(error instanceof ArgusError) || !error.retryable) throw err;
        failures = await this.backOff(error, failures, opts.signal);
        continue;
      }
      failures = 0;
      if (isTerminal(view)) return view;
      const seen = `${view.status}/${view.progress.stage}/${view.progress.percent}`;
      if (seen !== last) opts.onProgress?.(view);
      last = seen;
    }
  }

  /** Sleeps before the next attempt (Retry-After, else exponential), or throws after too many. */
  private async backOff(error: ArgusError, failures: number, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    if (!(error instanceof ArgusError) || !error.retryable) throw error;
    if (failures >= (this.options.maxReconnects ?? 8)) throw error;
    const ms = error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : Math.min(200 * 2 ** failures, 5000);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
    return failures + 1;
  }

  private async json<T>(path: string, init: RequestInit): Promise<T> {
    const res = await this.send(path, { ...init, headers: { Accept: 'application/json', ...init.headers } });
    const text = await res.text();
    if (!res.ok) throw errorFromAnswer(res.status, text, res.headers.get('retry-after'));
    return JSON.parse(text) as T;
  }

  /** One request; no answer at all becomes `network` (an abort stays an abort). */
  private async send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.options.apiKey) headers.set('Authorization', `Bearer ${this.options.apiKey}`);
    try {
      return await this.fetchImpl(`${this.base}${path}`, { ...init, headers });
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw new ArgusError('network', `the gateway did not answer (${(err as Error).message})`, 0);
    }
  }
}
