import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '@argus/contracts';
import type { Logger } from '@argus/config';
import { isRedisTimeout, isRedisUnavailable } from '@argus/queue';

/** The one place errors become HTTP answers: `{ error: { code, message } }`, never a stack. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appError = toAppError(err);
    if (appError.status >= 500) {
      log.error('request failed', { requestId: req.requestId, path: req.path, err: describe(err) });
    }
    if (res.headersSent) return;
    if (appError.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    res.status(appError.status).json({ ...compatFlag(req.path), ...appError.toJSON() });
  };
}

/**
 * Clients of the compatible endpoints look for a flag beside the error: the detection APIs
 * (seed Flask, DeepStack) for `success: false`, the M2FP seed for `status: "error"`.
 */
export function compatFlag(path: string): Record<string, unknown> {
  if (path === '/detect' || path.startsWith('/v1/vision/')) return { success: false };
  if (path === '/api/parse') return { status: 'error' };
  return {};
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // Redis away or past the producer connection's commandTimeout (REDIS_OP_TIMEOUT_MS): the
  // request answers 503 at once, never hangs; the client retries shortly.
  if (isRedisTimeout(err))
    return new AppError('unavailable', 'the job store (Redis) did not answer in time; try again shortly');
  if (isRedisUnavailable(err))
    return new AppError('unavailable', 'the job store (Redis) is unreachable; try again shortly');
  const status =
    (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  const type = (err as { type?: string }).type;
  // Errors raised by express' own body parsers carry a status and a type.
  if (type === 'entity.too.large') return new AppError('payload_too_large', 'the request body is too large');
  // Any other client error raised by a library keeps our code's own status, so a code
  // always means the same status.
  if (status && status >= 400 && status < 500) {
    return new AppError('invalid_request', (err as Error).message || 'bad request');
  }
  return new AppError('internal', 'an internal error occurred; it has been logged');
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
};

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
