import type { ErrorCode } from '@argus/contracts';
import { errorResponse } from './openapi.components';

/** One example message per error code, as the gateway words it. */
const EXAMPLE: Partial<Record<ErrorCode, string>> = {
  missing_image: 'no file in the form field "image"',
  invalid_option: 'confidence: Too big: expected number to be <=1',
  invalid_request: 'send exactly one file, in the form field "image"',
  model_unavailable: 'no model is configured for task "parse"',
  invalid_callback_url:
    'callbackUrl host "10.0.0.7" resolves to 10.0.0.7, a private, loopback, link-local or reserved address; set WEBHOOK_ALLOWED_HOSTS (or WEBHOOK_ALLOW_PRIVATE=true) to allow it',
  not_found: 'no job with id 00000000-0000-4000-8000-000000000000 (it may have expired)',
  not_ready: 'job 2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10 is active; its images exist once it completes',
  payload_too_large: 'the file is larger than 10485760 bytes',
  unsupported_media_type: 'the file is not a JPEG, PNG or WebP image',
  image_too_large: 'the image is 9000x6000 (54.0 MP); at most 40.0 MP are accepted',
  invalid_image: 'the image cannot be decoded',
  idempotency_conflict:
    'this Idempotency-Key was already used for a different request (another image, task or options)',
  idempotency_in_progress: 'a request with this Idempotency-Key is still being processed; retry shortly',
  unavailable: 'the job store (Redis) is unreachable; try again shortly',
  overloaded: 'the detect queue holds 1000 waiting jobs (limit 1000); retry shortly',
  internal: 'an internal error occurred; it has been logged',
  inference_failed: 'onnxruntime: failed to run the session',
  image_expired: 'the uploaded image expired before a worker reached the job; submit it again',
  result_expired: 'the result outlived its retention period; submit the image again',
  timeout:
    'the job did not finish within 30000 ms; poll /v1/jobs/2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10 for it',
  already_finished: 'job 2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10 has already finished',
  unauthorized: 'this API needs a key: send "Authorization: Bearer <key>"',
  rate_limited: 'rate limit reached (120/min, burst 20); retry in 1 s',
  quota_exceeded: 'daily job quota of 10000 used up; it resets at 00:00 UTC',
  lost: 'job 019ade1c-6e00-7000-8000-000000000000 was accepted at 2026-12-02T06:00:00.000Z, but Redis lost its data at about 2026-12-02T06:05:00.000Z; the job and its result are gone: submit the image again',
};

/** The example messages of `codes` (`overrides` where a route words one differently). */
const examples = (codes: ErrorCode[], overrides: Partial<Record<ErrorCode, string>> = {}) =>
  Object.fromEntries(codes.map((c) => [c, overrides[c] ?? EXAMPLE[c] ?? c])) as Partial<
    Record<ErrorCode, string>
  >;

const UNAUTHORIZED = 'No valid API key.';
const TOO_MANY = "The key's rate limit or daily quota is used up.";
const REFUSED = 'The upload or a form field was refused before anything was queued.';
const TOO_LARGE = 'The upload exceeds MAX_UPLOAD_BYTES (default 10 MiB).';
const NOT_AN_IMAGE = 'The file is not a JPEG, PNG or WebP image (sniffed from its bytes).';

// ---- the native API (`{error}` bodies)

export const BadRequest = errorResponse(
  'v1',
  REFUSED,
  examples([
    'missing_image',
    'invalid_option',
    'invalid_request',
    'model_unavailable',
    'invalid_callback_url',
  ]),
);
export const JobNotFound = errorResponse(
  'v1',
  'No job with this id: unknown, not a job id, or expired (RESULT_TTL_SECONDS).',
  examples(['not_found']),
);
export const ImageNotFound = errorResponse(
  'v1',
  'The job does not exist, failed, or has no such image (detect jobs produce JSON only; the person index is past the last person; the images expired).',
  examples(['not_found']),
);
export const JobNotReady = errorResponse(
  'v1',
  'The job is still queued or active; its images exist once it completes.',
  examples(['not_ready']),
);
export const PayloadTooLarge = errorResponse('v1', TOO_LARGE, examples(['payload_too_large']));
export const UnsupportedMediaType = errorResponse('v1', NOT_AN_IMAGE, examples(['unsupported_media_type']));
export const UnprocessableImage = errorResponse(
  'v1',
  'The image header is unreadable or the image exceeds MAX_PIXELS.',
  examples(['image_too_large', 'invalid_image', 'idempotency_conflict']),
);
export const Unavailable = errorResponse(
  'v1',
  'Redis did not answer within REDIS_OP_TIMEOUT_MS (default 2 s); nothing was done.',
  examples(['unavailable', 'overloaded']),
);
export const InternalError = errorResponse(
  'v1',
  'An unexpected error; it is logged with the X-Request-Id.',
  examples(['internal']),
);
export const SubmitConflict = errorResponse(
  'v1',
  'A request with the same Idempotency-Key is still being handled.',
  examples(['idempotency_in_progress']),
);
export const AlreadyFinished = errorResponse(
  'v1',
  'The job already completed, failed or was canceled.',
  examples(['already_finished']),
);
export const ModelNotFound = errorResponse(
  'v1',
  'No model with this id in the manifest.',
  examples(['not_found'], {
    not_found: 'no model "nope" (known: yolov8n, yolov8n-int8, bodypix-075, bodypix-050, yolov8n-seg)',
  }),
);
export const WorkersUnknown = errorResponse(
  'v1',
  'Redis did not answer within REDIS_OP_TIMEOUT_MS, so worker readiness is unknown.',
  examples(['unavailable'], { unavailable: 'Redis is unreachable, so worker readiness is unknown' }),
);
export const Unauthorized = errorResponse('v1', UNAUTHORIZED, examples(['unauthorized']), [
  'WWW-Authenticate',
]);
export const TooManyRequests = errorResponse('v1', TOO_MANY, examples(['rate_limited', 'quota_exceeded']), [
  'Retry-After',
]);
export const JobLost = errorResponse(
  'v1',
  'Redis lost its data (restarted without persistence) after this job was accepted: the job and its result are gone.',
  examples(['lost']),
);
export const StreamNotFound = errorResponse(
  'v1',
  'No such stream (unknown, malformed or deleted id).',
  examples(['not_found'], { not_found: 'no stream with id 00000000-0000-4000-8000-000000000000' }),
);

// ---- the synchronous compat endpoints: the same refusals in their clients' error shapes

const WAITED = "The endpoint waits for its job, so the job's own failure comes back here.";

/** Every answer a synchronous compat endpoint can refuse with, in `shape`. */
function compatErrors(shape: 'compat' | 'seedParse') {
  const orV1 = shape === 'compat' ? 'compatOrV1' : 'seedParseOrV1';
  return {
    BadRequest: errorResponse(
      shape,
      REFUSED,
      examples(['missing_image', 'invalid_option', 'invalid_request', 'model_unavailable']),
    ),
    Unauthorized: errorResponse(shape, UNAUTHORIZED, examples(['unauthorized']), ['WWW-Authenticate']),
    NotFound: errorResponse(
      shape,
      'The job disappeared while the request waited (or, for /api/parse, its overlay expired).',
      examples(['not_found']),
    ),
    Gone: errorResponse(
      shape,
      `${WAITED} The upload or the result expired.`,
      examples(['image_expired', 'result_expired']),
    ),
    PayloadTooLarge: errorResponse(shape, TOO_LARGE, examples(['payload_too_large'])),
    UnsupportedMediaType: errorResponse(shape, NOT_AN_IMAGE, examples(['unsupported_media_type'])),
    UnprocessableImage: errorResponse(
      shape,
      `The image header is unreadable or the image exceeds MAX_PIXELS; or (${WAITED}) the image could not be decoded by the worker.`,
      examples(['image_too_large', 'invalid_image']),
    ),
    TooManyRequests: errorResponse(shape, TOO_MANY, examples(['rate_limited', 'quota_exceeded']), [
      'Retry-After',
    ]),
    InternalError: errorResponse(
      orV1,
      "`inference_failed` (the model run failed after its retries) comes in this endpoint's own error shape; an unexpected `internal` error is answered by the global handler as a plain `ErrorBody`.",
      examples(['inference_failed', 'internal']),
    ),
    Unavailable: errorResponse(
      shape,
      'Redis did not answer within REDIS_OP_TIMEOUT_MS (default 2 s).',
      examples(['unavailable', 'overloaded']),
    ),
    Timeout: errorResponse(
      shape,
      'The job did not finish within SYNC_TIMEOUT_MS (default 30 s). It keeps running; the message names its /v1/jobs URL.',
      examples(['timeout']),
    ),
  };
}

/** `/detect` and the DeepStack routes: `{success: false, error}`. */
export const compat = compatErrors('compat');
/** `/api/parse` (M2FP): `{status: "error", error}`. */
export const seedParse = compatErrors('seedParse');

export const CustomModelNotFound = errorResponse(
  'compat',
  'No detection or segmentation model with this id, or the job disappeared while the request waited.',
  examples(['not_found'], {
    not_found:
      'no custom model "plates"; POST /v1/vision/custom/list lists them (yolov8n, yolov8n-int8, yolov8n-seg)',
  }),
);

/** What every authenticated native route may answer: no key, an unexpected error, Redis down. */
export const Common = { 401: Unauthorized, 500: InternalError, 503: Unavailable };
