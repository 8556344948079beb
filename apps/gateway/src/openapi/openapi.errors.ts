import { errorResponse } from './openapi.components';

/** Every error answer the routes document, by what it means. */
export const BadRequest = errorResponse(
  'v1',
  'The upload or a form field was refused before anything was queued.',
  {
    missing_image: 'no file in the form field "image"',
    invalid_option: 'confidence: Too big: expected number to be <=1',
    invalid_request: 'send exactly one file, in the form field "image"',
    model_unavailable: 'no model is configured for task "parse"',
    invalid_callback_url:
      'callbackUrl host "10.0.0.7" resolves to 10.0.0.7, a private, loopback, link-local or reserved address; set WEBHOOK_ALLOWED_HOSTS (or WEBHOOK_ALLOW_PRIVATE=true) to allow it',
  },
);
export const JobNotFound = errorResponse(
  'v1',
  'No job with this id: unknown, not a job id, or expired (RESULT_TTL_SECONDS).',
  { not_found: 'no job with id 00000000-0000-4000-8000-000000000000 (it may have expired)' },
);
export const ImageNotFound = errorResponse(
  'v1',
  'The job does not exist, failed, or has no such image (detect jobs produce JSON only; the person index is past the last person; the images expired).',
  { not_found: 'no job with id 00000000-0000-4000-8000-000000000000 (it may have expired)' },
);
export const JobNotReady = errorResponse(
  'v1',
  'The job is still queued or active; its images exist once it completes.',
  { not_ready: 'job 2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10 is active; its images exist once it completes' },
);
export const PayloadTooLarge = errorResponse('v1', 'The upload exceeds MAX_UPLOAD_BYTES (default 10 MiB).', {
  payload_too_large: 'the file is larger than 10485760 bytes',
});
export const UnsupportedMediaType = errorResponse(
  'v1',
  'The file is not a JPEG, PNG or WebP image (sniffed from its bytes).',
  { unsupported_media_type: 'the file is not a JPEG, PNG or WebP image' },
);
export const UnprocessableImage = errorResponse(
  'v1',
  'The image header is unreadable or the image exceeds MAX_PIXELS.',
  {
    image_too_large: 'the image is 9000x6000 (54.0 MP); at most 40.0 MP are accepted',
    invalid_image: 'the image cannot be decoded',
    idempotency_conflict:
      'this Idempotency-Key was already used for a different request (another image, task or options)',
  },
);
export const Unavailable = errorResponse(
  'v1',
  'Redis did not answer within REDIS_OP_TIMEOUT_MS (default 2 s); nothing was done.',
  {
    unavailable: 'the job store (Redis) is unreachable; try again shortly',
    overloaded: 'the detect queue holds 1000 waiting jobs (limit 1000); retry shortly',
  },
);
export const InternalError = errorResponse('v1', 'An unexpected error; it is logged with the X-Request-Id.', {
  internal: 'an internal error occurred; it has been logged',
});
export const CompatBadRequest = errorResponse(
  'compat',
  'The upload or a form field was refused before anything was queued.',
  {
    missing_image: 'no file in the form field "image"',
    invalid_option: 'confidence: Too big: expected number to be <=1',
    invalid_request: 'send exactly one file, in the form field "image"',
    model_unavailable: 'no model is configured for task "parse"',
  },
);
export const CompatNotFound = errorResponse(
  'compat',
  'The job disappeared while the request waited (or, for /api/parse, its overlay expired).',
  { not_found: 'no job with id 00000000-0000-4000-8000-000000000000 (it may have expired)' },
);
export const CompatGone = errorResponse(
  'compat',
  "The endpoint waits for its job, so the job's own failure comes back here. The upload or the result expired.",
  {
    image_expired: 'the uploaded image expired before a worker reached the job; submit it again',
    result_expired: 'the result outlived its retention period; submit the image again',
  },
);
export const CompatPayloadTooLarge = errorResponse(
  'compat',
  'The upload exceeds MAX_UPLOAD_BYTES (default 10 MiB).',
  { payload_too_large: 'the file is larger than 10485760 bytes' },
);
export const CompatUnsupportedMediaType = errorResponse(
  'compat',
  'The file is not a JPEG, PNG or WebP image (sniffed from its bytes).',
  { unsupported_media_type: 'the file is not a JPEG, PNG or WebP image' },
);
export const CompatUnprocessableImage = errorResponse(
  'compat',
  "The image header is unreadable or the image exceeds MAX_PIXELS; or (The endpoint waits for its job, so the job's own failure comes back here.) the image could not be decoded by the worker.",
  {
    image_too_large: 'the image is 9000x6000 (54.0 MP); at most 40.0 MP are accepted',
    invalid_image: 'the image cannot be decoded',
  },
);
export const CompatUnavailable = errorResponse(
  'compat',
  'Redis did not answer within REDIS_OP_TIMEOUT_MS (default 2 s).',
  {
    unavailable: 'the job store (Redis) is unreachable; try again shortly',
    overloaded: 'the detect queue holds 1000 waiting jobs (limit 1000); retry shortly',
  },
);
export const CompatTimeout = errorResponse(
  'compat',
  'The job did not finish within SYNC_TIMEOUT_MS (default 30 s). It keeps running; the message names its /v1/jobs URL.',
  {
    timeout:
      'the job did not finish within 30000 ms; poll /v1/jobs/2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10 for it',
  },
);
export const CompatInternalError = errorResponse(
  'compatOrV1',
  "`inference_failed` (the model run failed after its retries) comes in this endpoint's own error shape; an unexpected `internal` error is answered by the global handler as a plain `ErrorBody`.",
  {
    inference_failed: 'onnxruntime: failed to run the session',
    internal: 'an internal error occurred; it has been logged',
  },
);
export const SeedParseBadRequest = errorResponse(
  'seedParse',
  'The upload or a form field was refused before anything was queued.',
  {
    missing_image: 'no file in the form field "image"',
    invalid_option: 'confidence: Too big: expected number to be <=1',
    invalid_request: 'send exactly one file, in the form field "image"',
    model_unavailable: 'no model is configured for task "parse"',
  },
);
export const SeedParseNotFound = errorResponse(
  'seedParse',
  'The job disappeared while the request waited (or, for /api/parse, its overlay expired).',
  { not_found: 'no job with id 00000000-0000-4000-8000-000000000000 (it may have expired)' },
);
export const SeedParseGone = errorResponse(
  'seedParse',
  "The endpoint waits for its job, so the job's own failure comes back here. The upload or the result expired.",
  {
    image_expired: 'the uploaded image expired before a worker reached the job; submit it again',
    result_expired: 'the result outlived its retention period; submit the image again',
  },
);
export const SeedParsePayloadTooLarge = errorResponse(
  'seedParse',
  'The upload exceeds MAX_UPLOAD_BYTES (default 10 MiB).',
  { payload_too_large: 'the file is larger than 10485760 bytes' },
);
export const SeedParseUnsupportedMediaType = errorResponse(
  'seedParse',
  'The file is not a JPEG, PNG or WebP image (sniffed from its bytes).',
  { unsupported_media_type: 'the file is not a JPEG, PNG or WebP image' },
);
export const SeedParseUnprocessableImage = errorResponse(
  'seedParse',
  "The image header is unreadable or the image exceeds MAX_PIXELS; or (The endpoint waits for its job, so the job's own failure comes back here.) the image could not be decoded by the worker.",
  {
    image_too_large: 'the image is 9000x6000 (54.0 MP); at most 40.0 MP are accepted',
    invalid_image: 'the image cannot be decoded',
  },
);
export const SeedParseUnavailable = errorResponse(
  'seedParse',
  'Redis did not answer within REDIS_OP_TIMEOUT_MS (default 2 s).',
  {
    unavailable: 'the job store (Redis) is unreachable; try again shortly',
    overloaded: 'the detect queue holds 1000 waiting jobs (limit 1000); retry shortly',
  },
);
export const SeedParseTimeout = errorResponse(
  'seedParse',
  'The job did not finish within SYNC_TIMEOUT_MS (default 30 s). It keeps running; the message names its /v1/jobs URL.',
  {
    timeout:
      'the job did not finish within 30000 ms; poll /v1/jobs/2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10 for it',
  },
);
export const SeedParseInternalError = errorResponse(
  'seedParseOrV1',
  "`inference_failed` (the model run failed after its retries) comes in this endpoint's own error shape; an unexpected `internal` error is answered by the global handler as a plain `ErrorBody`.",
  {
    inference_failed: 'onnxruntime: failed to run the session',
    internal: 'an internal error occurred; it has been logged',
  },
);
export const SubmitConflict = errorResponse(
  'v1',
  'A request with the same Idempotency-Key is still being handled.',
  { idempotency_in_progress: 'a request with this Idempotency-Key is still being processed; retry shortly' },
);
export const AlreadyFinished = errorResponse('v1', 'The job already completed, failed or was canceled.', {
  already_finished: 'job 2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10 has already finished',
});
export const CustomModelNotFound = errorResponse(
  'compat',
  'No detection or segmentation model with this id, or the job disappeared while the request waited.',
  {
    not_found:
      'no custom model "plates"; POST /v1/vision/custom/list lists them (yolov8n, yolov8n-int8, yolov8n-seg)',
  },
);
export const ModelNotFound = errorResponse('v1', 'No model with this id in the manifest.', {
  not_found: 'no model "nope" (known: yolov8n, yolov8n-int8, bodypix-075, bodypix-050, yolov8n-seg)',
});
export const WorkersUnknown = errorResponse(
  'v1',
  'Redis did not answer within REDIS_OP_TIMEOUT_MS, so worker readiness is unknown.',
  { unavailable: 'Redis is unreachable, so worker readiness is unknown' },
);
export const Unauthorized = errorResponse(
  'v1',
  'No valid API key.',
  { unauthorized: 'this API needs a key: send "Authorization: Bearer <key>"' },
  ['WWW-Authenticate'],
);
export const TooManyRequests = errorResponse(
  'v1',
  "The key's rate limit or daily quota is used up.",
  {
    rate_limited: 'rate limit reached (120/min, burst 20); retry in 1 s',
    quota_exceeded: 'daily job quota of 10000 used up; it resets at 00:00 UTC',
  },
  ['Retry-After'],
);
export const CompatUnauthorized = errorResponse(
  'compat',
  'No valid API key.',
  { unauthorized: 'this API needs a key: send "Authorization: Bearer <key>"' },
  ['WWW-Authenticate'],
);
export const CompatTooManyRequests = errorResponse(
  'compat',
  "The key's rate limit or daily quota is used up.",
  {
    rate_limited: 'rate limit reached (120/min, burst 20); retry in 1 s',
    quota_exceeded: 'daily job quota of 10000 used up; it resets at 00:00 UTC',
  },
  ['Retry-After'],
);
export const SeedParseUnauthorized = errorResponse(
  'seedParse',
  'No valid API key.',
  { unauthorized: 'this API needs a key: send "Authorization: Bearer <key>"' },
  ['WWW-Authenticate'],
);
export const SeedParseTooManyRequests = errorResponse(
  'seedParse',
  "The key's rate limit or daily quota is used up.",
  {
    rate_limited: 'rate limit reached (120/min, burst 20); retry in 1 s',
    quota_exceeded: 'daily job quota of 10000 used up; it resets at 00:00 UTC',
  },
  ['Retry-After'],
);
export const JobLost = errorResponse(
  'v1',
  'Redis lost its data (restarted without persistence) after this job was accepted: the job and its result are gone.',
  {
    lost: 'job 019ade1c-6e00-7000-8000-000000000000 was accepted at 2026-12-02T06:00:00.000Z, but Redis lost its data at about 2026-12-02T06:05:00.000Z; the job and its result are gone: submit the image again',
  },
);
export const StreamNotFound = errorResponse('v1', 'No such stream (unknown, malformed or deleted id).', {
  not_found: 'no stream with id 00000000-0000-4000-8000-000000000000',
});
