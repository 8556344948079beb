import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { header, jsonResponse, param } from './openapi.components';
import { StreamCreateSchema, StreamViewSchema } from '@argus/contracts';
import { StreamListSchema } from './openapi.schemas';

/** The documentation of the streams routes (see openapi.document.ts). */
export const STREAMS_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/streams',
    tags: ['streams'],
    operationId: 'createStream',
    summary: 'Register a live stream (camera URL)',
    description:
      'One worker holds each stream under a lease it renews; if that worker dies another takes the stream over once the lease (STREAM_LEASE_MS, 6 s) lapses. Streams spread over the workers (STREAMS_PER_WORKER each at most).',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    request: { body: { required: true, content: { 'application/json': { schema: StreamCreateSchema } } } },
    responses: {
      201: {
        description: 'Registered; `state` is `connecting`.',
        headers: { 'X-Request-Id': header.XRequestId, Location: header.Location },
        content: { 'application/json': { schema: StreamViewSchema } },
      },
      400: errors.BadRequest,
      401: errors.Unauthorized,
      429: errors.TooManyRequests,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/streams',
    tags: ['streams'],
    operationId: 'listStreams',
    summary: 'Every registered stream',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    responses: {
      200: jsonResponse('The streams.', StreamListSchema),
      401: errors.Unauthorized,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/streams/{id}',
    tags: ['streams'],
    operationId: 'getStream',
    summary: 'A stream: state, holder and metrics',
    security: [{ bearerKey: [] }],
    parameters: [param.StreamId, param.RequestId],
    responses: {
      200: jsonResponse('The stream.', StreamViewSchema),
      401: errors.Unauthorized,
      404: errors.StreamNotFound,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'delete',
    path: '/v1/streams/{id}',
    tags: ['streams'],
    operationId: 'deleteStream',
    summary: 'Stop and remove a stream',
    description:
      'Its worker sees the lease gone at its next renewal (a third of STREAM_LEASE_MS) and kills ffmpeg; the registration, lease and events are deleted at once.',
    security: [{ bearerKey: [] }],
    parameters: [param.StreamId, param.RequestId],
    responses: {
      200: jsonResponse('The stream as it was, with `state: stopped`.', StreamViewSchema),
      401: errors.Unauthorized,
      404: errors.StreamNotFound,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/streams/{id}/events',
    tags: ['streams'],
    operationId: 'streamEvents',
    summary: 'Processed frames as Server-Sent Events',
    description:
      'One `frame` event per processed frame (`data`: `StreamFrameEvent`, `id`: the Redis stream entry id; send `Last-Event-ID` to resume), a `: keep-alive` comment every 5 s without frames, and an `end` event when the stream is deleted. The last STREAM_EVENTS_MAX events are kept. Example: `id: 1764660000000-0` / `event: frame` / `data: {"seq":0,"capturedAt":1764660000000,"width":480,"height":360,"detections":[…]}`.',
    security: [{ bearerKey: [] }],
    parameters: [param.StreamId, param.RequestId],
    responses: {
      200: {
        description: 'The event stream.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: {
          'text/event-stream': {
            schema: {
              type: 'string',
              description: "Server-Sent Events; each `frame` event's `data` is a `StreamFrameEvent`.",
              contentSchema: { $ref: '#/components/schemas/StreamFrameEvent' },
            },
          },
        },
      },
      401: errors.Unauthorized,
      404: errors.StreamNotFound,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
];
