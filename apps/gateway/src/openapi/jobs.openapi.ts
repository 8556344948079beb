import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { deliveryLogRoute, nativeRoute } from './openapi.native';
import { header, jsonResponse, param, uploadBody, sseResponse } from './openapi.components';
import { JobViewSchema } from '@argus/contracts';
import { DeliveryListSchema, RedeliverySchema } from './openapi.schemas';
import { JobSubmissionSchema } from './forms.schemas';

/** The headers of a submit's answer, whether the job is finished (200) or not (202). */
const SUBMIT_HEADERS = {
  'X-Request-Id': header.XRequestId,
  Location: header.Location,
  'Idempotent-Replayed': header.IdempotentReplayed,
  'Preference-Applied': header.PreferenceApplied,
};

/** The documentation of the jobs, webhooks routes (see openapi.document.ts). */
export const JOBS_ROUTES: RouteDoc[] = [
  nativeRoute({
    method: 'post',
    path: '/v1/jobs',
    tags: ['jobs'],
    operationId: 'submitJob',
    summary: 'Submit an image for detection or parsing',
    description:
      'Validates the upload and options before anything is queued, then answers from the result cache, joins an identical job in flight, or queues a new job. Poll `links.self` (also in `Location`) until `status` is `completed` or `failed`. Or send `Prefer: wait=N` to have the answer held until the job ends (up to N seconds), or follow it with `GET /v1/jobs/{id}?wait=N` or the event stream `GET /v1/jobs/{id}/events`.',
    parameters: [param.RequestId, param.IdempotencyKey, param.PreferWait],
    request: uploadBody(JobSubmissionSchema, 'image'),
    responses: {
      200: {
        description:
          'Already finished: a cache hit (`cached: true`, `status: completed`, `result` inline) or an identical job that has finished. With `Prefer: wait=N`: the job ended within N seconds (completed, failed or canceled).',
        headers: SUBMIT_HEADERS,
        content: { 'application/json': { schema: JobViewSchema } },
      },
      202: {
        description: 'Queued (or joined an identical job in flight): `status` is `queued` or `active`.',
        headers: SUBMIT_HEADERS,
        content: { 'application/json': { schema: JobViewSchema } },
      },
      400: errors.BadRequest,
      409: errors.SubmitConflict,
      413: errors.PayloadTooLarge,
      415: errors.UnsupportedMediaType,
      422: errors.UnprocessableImage,
      429: errors.TooManyRequests,
    },
  }),
  nativeRoute({
    method: 'get',
    path: '/v1/jobs/{id}',
    tags: ['jobs'],
    operationId: 'getJob',
    summary: 'Read a job: status, progress, then its result or error',
    description:
      'Finished jobs are kept for RESULT_TTL_SECONDS (default 1 day). With `?wait=N` the answer is held until the job ends or N seconds pass.',
    parameters: [param.JobId, param.Wait, param.RequestId],
    responses: {
      200: jsonResponse('The job.', JobViewSchema),
      400: errors.BadRequest,
      404: errors.JobNotFound,
      410: errors.JobLost,
    },
  }),
  nativeRoute({
    method: 'delete',
    path: '/v1/jobs/{id}',
    tags: ['jobs'],
    operationId: 'cancelJob',
    summary: 'Cancel a job',
    description:
      'A queued job is removed from its queue at once (200, `status: canceled`). A running job is asked to stop at its next stage boundary (202, `cancelRequested: true`; poll until `status: canceled`, or it may still complete if it was past its last boundary). A `canceled` callback event is sent if asked for. Identical submissions that shared the job (deduplication) share the cancellation.',
    parameters: [param.JobId, param.RequestId],
    responses: {
      200: jsonResponse('Canceled: the job was still queued.', JobViewSchema),
      202: jsonResponse(
        'Cancellation requested: the job is running and stops at its next stage boundary.',
        JobViewSchema,
      ),
      404: errors.JobNotFound,
      409: errors.AlreadyFinished,
    },
  }),
  nativeRoute({
    method: 'get',
    path: '/v1/jobs/{id}/events',
    tags: ['jobs'],
    operationId: 'streamJobEvents',
    summary: 'Follow a job as Server-Sent Events until it ends',
    description:
      'A `text/event-stream`. `progress` events carry the job view (stage and percent; the event id is the percent), then exactly one terminal event, `completed`, `failed` or `canceled` (id `end`), with the final view, after which the stream closes. A job that has already ended gets its terminal event at once. Comment lines (`:`) are sent every SSE_HEARTBEAT_MS (default 15 s) so proxies keep the stream open. When the gateway shuts down the stream ends without a terminal event; reconnect with `Last-Event-ID` to resume without repeats. Data of every event is a JobView as JSON; a failure after the stream started arrives as a `stream-error` event with an error body.',
    parameters: [param.JobId, param.LastEventId, param.RequestId],
    responses: {
      200: sseResponse({
        type: 'string',
        description:
          'SSE frames: `event: progress|completed|failed|canceled`, `id: <percent>|end`, `data: <JobView JSON>`.',
      }),
      204: {
        description:
          '`Last-Event-ID: end`: the terminal event was already delivered; nothing is left to send.',
        headers: { 'X-Request-Id': header.XRequestId },
      },
      404: errors.JobNotFound,
    },
  }),
  deliveryLogRoute({
    path: '/v1/jobs/{id}/deliveries',
    tags: ['webhooks'],
    operationId: 'listDeliveries',
    summary: 'Webhook deliveries of a job and every attempt',
    description:
      "Deliveries that used up their attempts stay listed (`status: failed`, last outcome `dead`) until the job's retention (RESULT_TTL_SECONDS) ends.",
    owner: param.JobId,
    list: DeliveryListSchema,
    notFound: errors.JobNotFound,
  }),
  nativeRoute({
    method: 'post',
    path: '/v1/jobs/{id}/deliveries/redeliver',
    tags: ['webhooks'],
    operationId: 'redeliver',
    summary: "Send a finished job's outcome again",
    description:
      'Queues a new delivery (new delivery id) to each callback of the job. Limited per job (WEBHOOK_REDELIVER_PER_MINUTE, burst WEBHOOK_REDELIVER_BURST): above it, 429 `rate_limited`.',
    parameters: [param.JobId, param.RequestId],
    responses: {
      202: jsonResponse('Queued.', RedeliverySchema),
      404: errors.JobNotFound,
      409: errors.JobNotReady,
      429: errors.TooManyRequests,
    },
  }),
];
