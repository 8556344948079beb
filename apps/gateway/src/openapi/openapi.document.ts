import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { StreamFrameEventSchema } from '@argus/contracts';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import type { RouteDoc } from './openapi.components';
import { WebhookPayloadSchema } from './openapi.schemas';
import { JOBS_ROUTES } from './jobs.openapi';
import { ARTIFACTS_ROUTES } from './artifacts.openapi';
import { COMPAT_ROUTES } from './compat.openapi';
import { OPS_ROUTES } from './ops.openapi';
import { STREAMS_ROUTES } from './streams.openapi';

/**
 * Every documented operation. A test holds it to the app's route table both ways (every
 * mounted route documented with its methods, every documented route mounted) and validates
 * real answers with the zod schemas each response names.
 */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  ...JOBS_ROUTES,
  ...ARTIFACTS_ROUTES,
  ...COMPAT_ROUTES,
  ...OPS_ROUTES,
  ...STREAMS_ROUTES,
];

const INFO = {
  title: 'Argus',
  version: '0.1.0',
  summary: 'Queue-backed computer-vision inference: YOLOv8 object detection and multi-person human parsing.',
  description:
    "The gateway validates an upload, queues a job in Redis (BullMQ) and answers at once; workers run the ONNX models and store results in Redis, where `GET /v1/jobs/{id}` reads them. Identical uploads with the same model and options are answered from the result cache.\n\n**Errors.** Every error is JSON with a stable `error.code` (see `ErrorCode`); the compat endpoints add their clients' success flag. Unknown routes answer 404 `not_found`; a malformed JSON body on any route answers 400 `invalid_request`.\n\n**Request ids.** Every response carries `X-Request-Id`: the caller's own (1–64 of `A-Za-z0-9._-`) or a new UUID. It follows the job into the worker's logs.\n\n**Limits** are set by the environment: MAX_UPLOAD_BYTES (10 MiB), MAX_PIXELS (40 MP), SYNC_TIMEOUT_MS (30 s), RESULT_TTL_SECONDS (1 day).",
  license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
};
const SERVERS = [{ url: 'http://localhost:3000', description: 'A local gateway (PORT defaults to 3000).' }];
const TAGS = [
  { name: 'jobs', description: 'Asynchronous jobs: submit, then poll. The native API.' },
  {
    name: 'images',
    description:
      'PNG images produced by completed parse and segment jobs (and detect jobs submitted with `overlay=true`).',
  },
  {
    name: 'compat',
    description:
      'Synchronous endpoints that keep existing clients working; they run through the same queue and cache.',
  },
  { name: 'health', description: 'Liveness and readiness probes.' },
  {
    name: 'models',
    description: 'The models this server knows: labels, inputs, option defaults and where they are loaded.',
  },
  { name: 'meta', description: 'This document.' },
  {
    name: 'metrics',
    description:
      "The Prometheus scrape target of the whole fleet: the gateway's metrics merged with every live worker's snapshot (docs/metrics.md).",
  },
  {
    name: 'webui',
    description:
      'The browser page: upload a photo, watch the job run, look at the result. It uses only the endpoints documented here.',
  },
  {
    name: 'oip',
    description:
      'Open Inference Protocol (KServe v2, Triton) health and model metadata, for KServe-style probes and dashboards.',
  },
  { name: 'videos', description: 'Artifacts of video jobs (`POST /v1/jobs` with a video).' },
  {
    name: 'streams',
    description:
      'Live camera streams: registered by URL, held by workers under leases, results as Server-Sent Events.',
  },
];
const BEARER_KEY = {
  type: 'http',
  scheme: 'bearer',
  description:
    'An API key (`npm run keys -- create`, API_KEYS or API_ADMIN_KEYS). Required on every route but /, /ui/*, /healthz, /readyz, /openapi.json and (unless METRICS_REQUIRE_KEY) /metrics. A client key sees only its own jobs (others answer 404); an admin key sees every job. Without any key the API runs open only when chosen (AUTH_MODE, docs/security.md).',
} as const;

/** The OpenAPI 3.1 document, generated from the contracts' zod schemas and ROUTE_DOCS. */
export function buildOpenApiDocument(): OpenAPIObject {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerKey', BEARER_KEY);
  for (const route of ROUTE_DOCS) registry.registerPath(route);
  registry.registerWebhook({
    method: 'post',
    path: 'jobOutcome',
    operationId: 'jobOutcomeWebhook',
    summary: 'Argus calls your callbackUrl when a job ends',
    description:
      'Headers: `X-Argus-Event`, `X-Argus-Delivery` (stable across retries), `X-Argus-Timestamp` (Unix seconds) and `X-Argus-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` keyed by WEBHOOK_SECRET. Answer 2xx to acknowledge; 410 stops deliveries; other 4xx (except 408/429) stop as failed; 5xx, 408, 429, timeouts (WEBHOOK_TIMEOUT_MS) and connection errors are retried with exponential backoff and jitter (WEBHOOK_MAX_ATTEMPTS, default 8 over about an hour); Retry-After is honoured. Redirects are not followed.',
    request: { body: { required: true, content: { 'application/json': { schema: WebhookPayloadSchema } } } },
    responses: {
      200: { description: 'Acknowledged (any 2xx).' },
      410: { description: 'Stop sending deliveries for this job.' },
    },
  });
  // StreamFrameEvent is named only by the SSE answer's contentSchema (a raw $ref), so no
  // route's zod schema pulls it in: it is added as a schema definition (its meta id names it).
  const definitions = [...registry.definitions, { type: 'schema' as const, schema: StreamFrameEventSchema }];
  return new OpenApiGeneratorV31(definitions).generateDocument({
    openapi: '3.1.0',
    info: INFO,
    servers: SERVERS,
    tags: TAGS,
    security: [{ bearerKey: [] }],
  });
}
