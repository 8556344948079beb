/**
 * The API's stable error codes (packages/contracts/src/errors.ts, checked by a test), plus
 * `network` (no answer at all) and `http_<status>` for answers without an error body.
 */
export const API_ERROR_CODES = [
  'missing_image',
  'invalid_option',
  'invalid_request',
  'invalid_callback_url',
  'unauthorized',
  'forbidden',
  'not_found',
  'not_ready',
  'already_finished',
  'canceled',
  'idempotency_in_progress',
  'payload_too_large',
  'unsupported_media_type',
  'image_too_large',
  'image_too_complex',
  'invalid_video',
  'video_too_long',
  'lost',
  'idempotency_conflict',
  'invalid_image',
  'rate_limited',
  'quota_exceeded',
  'unavailable',
  'overloaded',
  'timeout',
  'image_expired',
  'result_expired',
  'model_unavailable',
  'inference_failed',
  'internal',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
export type ArgusErrorCode = ApiErrorCode | 'network' | `http_${number}`;

/**
 * Every failure the client reports: a refused request (`status` is the HTTP status), a job
 * that failed or was canceled (`jobId` is set, `status` 0), or no answer (`network`).
 * Branch on `code`, never on `message`.
 */
export class ArgusError extends Error {
  constructor(
    readonly code: ArgusErrorCode,
    message: string,
    readonly status: number,
    /** From Retry-After (429, 503), in seconds. */
    readonly retryAfterSeconds?: number,
    /** Set when a job ended with this error. */
    readonly jobId?: string,
  ) {
    super(message);
    this.name = 'ArgusError';
  }

  /** Worth retrying the same request later: no answer, 429, 503. */
  get retryable(): boolean {
    return this.code === 'network' || this.status === 429 || this.status === 503;
  }
}

export function isApiErrorCode(value: string): value is ApiErrorCode {
  return (API_ERROR_CODES as readonly string[]).includes(value);
}

/** The error a non-2xx answer carries (`{"error": {"code", "message"}}`). */
export function errorFromAnswer(status: number, text: string, retryAfter: string | null): ArgusError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' && isApiErrorCode(error.code) ? error.code : null;
  const seconds = Number(retryAfter);
  return new ArgusError(
    code ?? `http_${status}`,
    typeof error?.message === 'string' ? error.message : text.slice(0, 200) || `HTTP ${status}`,
    status,
    Number.isFinite(seconds) && seconds > 0 ? seconds : undefined,
  );
}
