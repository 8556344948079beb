import { UnrecoverableError } from 'bullmq';
import { AppError, formatFailure, type ErrorCode } from '@argus/contracts';
import { ImageError } from '@argus/vision';

/** Codes that mean "this input will never work": retrying would only waste a worker. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  'invalid_image',
  'invalid_video',
  'video_too_long',
  'image_too_large',
  'unsupported_media_type',
  'invalid_option',
  'invalid_request',
  'model_unavailable',
  'image_expired',
  'canceled',
  // The same input would hit the same bound again.
  'image_too_complex',
  'timeout',
]);

/**
 * Turns any processing error into what BullMQ should do with it: bad input fails the job
 * at once (`UnrecoverableError`), anything else is rethrown so retries with backoff apply.
 * The message keeps the stable code ("code: message") for the client.
 */
export function toJobFailure(err: unknown): Error {
  if (err instanceof UnrecoverableError) return err;
  // The vision package names what is wrong with an image; here it becomes the job's error.
  if (err instanceof ImageError) err = new AppError(err.code, err.message);
  if (err instanceof AppError) {
    const reason = formatFailure(err.code, err.message);
    return PERMANENT.has(err.code) ? new UnrecoverableError(reason) : new Error(reason);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new Error(formatFailure('inference_failed', message));
}
