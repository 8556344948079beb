import { z } from 'zod';

/**
 * Stable error codes. Clients branch on `code`, never on `message`, so codes are part of
 * the public API: add new ones, never rename.
 */
export const ERROR_STATUS = {
  missing_image: 400,
  invalid_option: 400,
  invalid_request: 400,
  /** The callbackUrl is malformed, not http(s), or points at a private address. */
  invalid_callback_url: 400,
  /** No or an unknown/revoked API key while keys are configured. */
  unauthorized: 401,
  /** The request is understood but not allowed from here (a WebSocket from a foreign origin). */
  forbidden: 403,
  not_found: 404,
  /** The job has not finished, so its result images do not exist yet. */
  not_ready: 409,
  /** The job already completed, failed or was canceled, so it cannot be canceled. */
  already_finished: 409,
  /** The job was canceled on request (a job error code, shown with status `canceled`). */
  canceled: 409,
  /** A request with the same Idempotency-Key is still being handled. */
  idempotency_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  image_too_large: 422,
  /** A progressive JPEG with more scans (or scans × pixels) than a worker decodes in bounded time. */
  image_too_complex: 422,
  /** The same Idempotency-Key was used with a different request. */
  idempotency_conflict: 422,
  invalid_image: 422,
  /** The video cannot be probed or decoded (truncated, corrupt); the message quotes ffmpeg. */
  invalid_video: 422,
  /** The video has more sampled frames than `maxFrames`, or runs longer than `MAX_VIDEO_SECONDS`. */
  video_too_long: 422,
  /** The API key's request rate is used up for now (token bucket). */
  rate_limited: 429,
  /** The API key's daily job quota is used up. */
  quota_exceeded: 429,
  unavailable: 503,
  /** Too many jobs are waiting: refused at once instead of queueing without bound. */
  overloaded: 503,
  timeout: 504,
  /** The stored image expired before a worker reached the job. */
  image_expired: 410,
  /** The result of a completed job outlived its TTL. */
  result_expired: 410,
  /** Redis lost its data (restart without persistence) after the job was accepted. */
  lost: 410,
  model_unavailable: 400,
  inference_failed: 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/** An error meant for a client: its code and message are safe to show. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    status?: number,
    /** Sent as Retry-After (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = status ?? ERROR_STATUS[code];
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(ERROR_CODES).meta({
  id: 'ErrorCode',
  description:
    'Stable error codes: clients branch on `code`, never on `message`. Codes are only ever added, never renamed. README.md (Errors) says when each is answered.',
});

export const ErrorDetailSchema = z
  .strictObject({
    code: ErrorCodeSchema,
    message: z.string().meta({ description: 'Human-readable, safe to show; not stable.' }),
  })
  .meta({ id: 'ErrorDetail' });
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** Every rejected request's body. */
export const ErrorBodySchema = z.strictObject({ error: ErrorDetailSchema }).meta({
  id: 'ErrorBody',
  description: 'Every /v1 error, and every unexpected (`internal`) error of any route.',
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/**
 * BullMQ keeps only a string `failedReason` for a failed job. Workers write it as
 * "code: message" so the gateway can give clients the same `{code, message}` pair that
 * synchronous validation errors carry.
 */
export function formatFailure(code: ErrorCode, message: string): string {
  return `${code}: ${message}`;
}

export function parseFailure(reason: string | undefined): { code: ErrorCode; message: string } {
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(reason ?? '');
  if (match && isErrorCode(match[1])) return { code: match[1], message: match[2] };
  // BullMQ's own reason for a poison job: its worker died or hung on it every time.
  if (/stalled more than allowable limit/.test(reason ?? '')) {
    return {
      code: 'inference_failed',
      message: `the job stopped its worker (crash or hang) on every attempt, so it was given up (${reason})`,
    };
  }
  return { code: 'internal', message: reason || 'the job failed without a reason' };
}
