import type { ParameterObject, HeaderObject } from 'openapi3-ts/oas31';
import { z } from 'zod';
import { ERROR_STATUS, ErrorBodySchema, type ErrorCode } from '@argus/contracts';
import type { ResponseConfig, RouteConfig, ZodMediaTypeObject } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { CompatErrorBodySchema, SeedParseErrorBodySchema } from './compat.schemas';

/*
 * The reusable pieces of the route documentation: parameters, headers and error answers.
 * Error answers are built from error codes, so their status is the one ERROR_STATUS gives
 * each code (one answer never mixes statuses) and their examples use the routes' real shapes.
 */

export const param = {
  JobId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'Job id from `POST /v1/jobs`. Anything that is not a job id answers 404.',
    schema: { type: 'string', format: 'uuid', pattern: '^[0-9a-f-]{36}$' },
  },
  InstanceIndex: {
    name: 'n',
    in: 'path',
    required: true,
    description: '0-based index in `result.instances`, as in `links.masks`.',
    schema: { type: 'integer', minimum: 0, maximum: 1000 },
  },
  CustomModel: {
    name: 'model',
    in: 'path',
    required: true,
    description: 'A model id from `POST /v1/vision/custom/list`.',
    schema: { type: 'string', examples: ['yolov8n-seg'] },
  },
  OipModel: {
    name: 'model',
    in: 'path',
    required: true,
    description: 'A model id from the model manifest.',
    schema: { type: 'string', examples: ['yolov8n-seg'] },
  },
  PersonIndex: {
    name: 'n',
    in: 'path',
    required: true,
    description: '0-based index in `result.persons` (person `id` − 1).',
    schema: { type: 'integer', minimum: 0, maximum: 1000 },
  },
  RequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: 'Correlation id, echoed back; ignored unless it is 1–64 of `A-Za-z0-9._-`.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes the submit safe to retry: the same key with the same request within IDEMPOTENCY_TTL_SECONDS (default 24 h) returns the original job (header `Idempotent-Replayed: true`); the same key with a different request is refused (422 `idempotency_conflict`).',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  Wait: {
    name: 'wait',
    in: 'query',
    required: false,
    description:
      'Long-poll: hold the answer until the job ends (completed, failed or canceled), or for at most this many seconds, then answer with the job as it is. 0 (the default) answers at once. Waiting costs the gateway no Redis traffic: one subscription per gateway process fans job events out to its waiters (at most MAX_WAITERS, default 10000; past it 503 `unavailable` with Retry-After).',
    schema: { type: 'number', minimum: 0, maximum: 60, default: 0 },
  },
  PreferWait: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description:
      '`wait=N` (RFC 7240, N seconds, capped at 60): if the job ends within N seconds the answer is 200 with its final view, else 202 as without the header. The answer carries `Preference-Applied: wait=N` when the gateway waited; one that already holds MAX_WAITERS waiting clients answers 202 at once, without it (the job is accepted either way).',
    schema: { type: 'string', examples: ['wait=30'] },
  },
  LastEventId: {
    name: 'Last-Event-ID',
    in: 'header',
    required: false,
    description:
      'Resume a stream: the id of the last event received (a progress percent, or `end`). Events up to it are not sent again; after `end` the answer is 204.',
    schema: { type: 'string' },
  },
  StreamId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'Stream id (UUID).',
    schema: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
  },
} satisfies Record<string, ParameterObject>;

export const header = {
  XRequestId: {
    description: "The request's correlation id (the caller's, or a new UUID).",
    schema: { type: 'string' },
  },
  Location: { description: 'The job URL (same as `links.self`), relative.', schema: { type: 'string' } },
  CacheControl: { description: '`private, max-age=3600`.', schema: { type: 'string' } },
  IdempotentReplayed: {
    description:
      '`true` when the answer is the job an earlier request with the same Idempotency-Key created.',
    schema: { type: 'string', enum: ['true'] },
    required: false,
  },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'string' } },
  WWWAuthenticate: { description: '`Bearer realm="argus"`.', schema: { type: 'string' } },
  PreferenceApplied: {
    description: "`wait=N` when the request's `Prefer: wait=N` was honoured.",
    schema: { type: 'string' },
    required: false,
  },
} satisfies Record<string, HeaderObject>;

/** The error body shapes: the native API's, the seed and DeepStack compat endpoints', M2FP's. */
const SHAPES = {
  v1: { schema: ErrorBodySchema, wrap: (error: Detail) => ({ error }) },
  compat: { schema: CompatErrorBodySchema, wrap: (error: Detail) => ({ success: false, error }) },
  seedParse: { schema: SeedParseErrorBodySchema, wrap: (error: Detail) => ({ status: 'error', error }) },
  // An unexpected `internal` error is answered by the global handler, in the native shape.
  compatOrV1: {
    schema: z.union([CompatErrorBodySchema, ErrorBodySchema]),
    wrap: (error: Detail) => (error.code === 'internal' ? { error } : { success: false, error }),
  },
  seedParseOrV1: {
    schema: z.union([SeedParseErrorBodySchema, ErrorBodySchema]),
    wrap: (error: Detail) => (error.code === 'internal' ? { error } : { status: 'error', error }),
  },
} as const;
type Detail = { code: ErrorCode; message: string };

/** An error answer: its status comes from its codes, and each code gets an example with its message. */
export interface ErrorResponse extends ResponseConfig {
  status: number;
  codes: ErrorCode[];
}

export function errorResponse(
  shape: keyof typeof SHAPES,
  description: string,
  examples: Partial<Record<ErrorCode, string>>,
  extraHeaders: string[] = [],
): ErrorResponse {
  const codes = Object.keys(examples) as ErrorCode[];
  const statuses = new Set(codes.map((c) => ERROR_STATUS[c]));
  if (statuses.size !== 1)
    throw new Error(`error answer "${description}" mixes statuses ${[...statuses].join(', ')}`);
  const { schema, wrap } = SHAPES[shape];
  const headers: Record<string, HeaderObject> = { 'X-Request-Id': header.XRequestId };
  for (const name of extraHeaders) headers[name] = header[name.replace(/-/g, '') as keyof typeof header];
  return {
    status: [...statuses][0],
    codes,
    description: `${description} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    headers,
    content: {
      'application/json': {
        schema,
        examples: Object.fromEntries(
          codes.map((code) => [
            code,
            { summary: code, value: wrap({ code, message: examples[code] ?? '' }) },
          ]),
        ),
      },
    },
  };
}

/** A documented operation: zod-to-openapi's route config, answers keyed by status. */
export type RouteDoc = RouteConfig & { responses: Record<number, ResponseConfig> };

/** A JSON answer with its request id. */
export function jsonResponse(description: string, schema: ZodType): ResponseConfig {
  return {
    description,
    headers: { 'X-Request-Id': header.XRequestId },
    content: { 'application/json': { schema } },
  };
}

/** A Server-Sent Events answer; `schema` says what its frames carry. */
export function sseResponse(schema: ZodMediaTypeObject['schema']): ResponseConfig {
  return {
    description: 'The event stream.',
    headers: { 'X-Request-Id': header.XRequestId },
    content: { 'text/event-stream': { schema } },
  };
}

/** A multipart upload: `form`'s fields, the image in the file part `field`. */
export function uploadBody(form: ZodType, field: 'image' | 'file'): NonNullable<RouteConfig['request']> {
  return {
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: form,
          encoding: {
            [field]: { contentType: 'image/jpeg, image/png, image/webp, application/octet-stream' },
          },
        },
      },
    },
  };
}
