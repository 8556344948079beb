import { z } from 'zod';
import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { header, jsonResponse, param } from './openapi.components';
import { ErrorBodySchema, ModelListSchema, NotReadySchema, ReadySchema } from '@argus/contracts';
import {
  HealthSchema,
  OipLiveSchema,
  OipModelMetadataSchema,
  OipModelNotReadySchema,
  OipModelReadySchema,
  OipNotReadySchema,
  OipReadySchema,
} from './openapi.schemas';

/** The documentation of the health, oip, meta, metrics, webui routes (see openapi.document.ts). */
export const OPS_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/models',
    tags: ['models'],
    operationId: 'listModels',
    summary:
      "The manifest's models: labels, input, option defaults, state and the workers that have each loaded",
    description:
      'In manifest order (the order the WebUI lists them in). `status` is the same per-model state `/readyz` reports; `workers` names the live workers (by their heartbeat id) that have the model loaded.',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    responses: {
      200: jsonResponse('The models.', ModelListSchema),
      401: errors.Unauthorized,
      500: errors.InternalError,
      503: errors.WorkersUnknown,
    },
  },
  {
    method: 'get',
    path: '/healthz',
    tags: ['health'],
    operationId: 'healthz',
    summary: 'Liveness: the gateway process is up',
    security: [],
    responses: {
      200: jsonResponse('Up.', HealthSchema),
    },
  },
  {
    method: 'get',
    path: '/readyz',
    tags: ['health'],
    operationId: 'readyz',
    summary: 'Readiness: Redis answers and at least one worker has sent a recent heartbeat',
    security: [],
    responses: {
      200: jsonResponse('Jobs submitted now will be processed.', ReadySchema),
      503: {
        description:
          'Not ready: Redis is down or no worker is alive (`NotReady`), or Redis stopped answering while the workers were read (`ErrorBody`, `unavailable`).',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: z.union([NotReadySchema, ErrorBodySchema]) } },
      },
    },
  },
  {
    method: 'get',
    path: '/v2/health/live',
    tags: ['oip'],
    operationId: 'oipLive',
    summary: 'Open Inference Protocol liveness',
    description: 'The gateway process is up (KServe v2 / Triton `server live`).',
    security: [],
    responses: {
      200: jsonResponse('Live.', OipLiveSchema),
    },
  },
  {
    method: 'get',
    path: '/v2/health/ready',
    tags: ['oip'],
    operationId: 'oipReady',
    summary: 'Open Inference Protocol readiness',
    description:
      'Ready when at least one worker has sent a recent heartbeat. Per the protocol a 4xx means false: not ready is 409.',
    security: [],
    responses: {
      200: jsonResponse('Ready.', OipReadySchema),
      409: {
        description: 'No worker is alive. Codes: `not_ready`.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: {
          'application/json': {
            schema: OipNotReadySchema,
            examples: {
              not_ready: {
                summary: 'not_ready',
                value: {
                  ready: false,
                  error: {
                    code: 'not_ready',
                    message: 'no worker is alive; start one with `npm run start:worker`',
                  },
                },
              },
            },
          },
        },
      },
      503: errors.WorkersUnknown,
    },
  },
  {
    method: 'get',
    path: '/v2/models/{model}',
    tags: ['oip'],
    operationId: 'oipModelMetadata',
    summary: 'Open Inference Protocol model metadata',
    description:
      'Name, versions, platform, and the input and output tensors with datatype and shape (-1 = dynamic).',
    security: [],
    parameters: [param.OipModel],
    responses: {
      200: jsonResponse('The metadata.', OipModelMetadataSchema),
      404: errors.ModelNotFound,
    },
  },
  {
    method: 'get',
    path: '/v2/models/{model}/ready',
    tags: ['oip'],
    operationId: 'oipModelReady',
    summary: 'Open Inference Protocol model readiness',
    description:
      'Ready when at least one live worker has the model loaded (workers list their loaded models in their heartbeats).',
    security: [],
    parameters: [param.OipModel],
    responses: {
      200: jsonResponse('Ready.', OipModelReadySchema),
      404: errors.ModelNotFound,
      409: {
        description: 'No live worker has the model loaded. Codes: `not_ready`.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: {
          'application/json': {
            schema: OipModelNotReadySchema,
            examples: {
              not_ready: {
                summary: 'not_ready',
                value: {
                  name: 'yolov8n-int8',
                  ready: false,
                  error: { code: 'not_ready', message: 'no live worker has model "yolov8n-int8" loaded' },
                },
              },
            },
          },
        },
      },
      503: errors.WorkersUnknown,
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tags: ['meta'],
    operationId: 'getOpenApi',
    summary: 'This OpenAPI document',
    security: [],
    responses: {
      200: {
        description:
          "The OpenAPI 3.1 document, generated from the contracts' zod schemas and the route docs.",
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tags: ['metrics'],
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of the gateway and every live worker',
    description:
      "The Prometheus text exposition format (version 0.0.4). Worker series carry a `worker` label; queue gauges are read from BullMQ at scrape time. When Redis does not answer within REDIS_OP_TIMEOUT_MS the answer still comes, with the gateway's own series only and `argus_metrics_redis_up 0`. Scrape one gateway: each one serves the whole fleet. Needs an API key when METRICS_REQUIRE_KEY=true. Worker ids carry no host names or pids unless METRICS_HOST_LABELS=true.",
    security: [{}, { bearerKey: [] }],
    responses: {
      200: {
        description: 'The metrics, in the text exposition format.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
      401: errors.Unauthorized,
    },
  },
  {
    method: 'get',
    path: '/',
    tags: ['webui'],
    operationId: 'getWebUi',
    summary: 'The WebUI page',
    description:
      'An HTML page that submits photos to `POST /v1/jobs`, polls `GET /v1/jobs/{id}` and draws the results (boxes and a table for `detect`; overlay, legend and per-person and per-part toggles for `parse`). Its scripts and styles are served under `/ui/`. See docs/webui.md.',
    security: [],
    responses: {
      200: {
        description: 'The page.',
        headers: {
          'X-Request-Id': header.XRequestId,
          'Content-Security-Policy': {
            description:
              "Same-origin only: nothing is loaded from another origin (images may also be the user's own `blob:` and `data:` URLs).",
            schema: { type: 'string' },
          },
          'Cache-Control': {
            description: '`no-cache`: the page and its assets revalidate on every load.',
            schema: { type: 'string' },
          },
        },
        content: { 'text/html': { schema: { type: 'string', contentMediaType: 'text/html' } } },
      },
      503: {
        description: 'The WebUI has not been built (`npm run build` compiles it); a short HTML note says so.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'text/html': { schema: { type: 'string', contentMediaType: 'text/html' } } },
      },
    },
  },
];
