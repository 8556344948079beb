import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { deliveryLogRoute, nativeRoute } from './openapi.native';
import { header, jsonResponse, param, sseResponse } from './openapi.components';
import { StreamCreateSchema, StreamViewSchema } from '@argus/contracts';
import { StreamDeliveryListSchema, StreamListSchema } from './openapi.schemas';

/** The documentation of the streams routes (see openapi.document.ts). */
export const STREAMS_ROUTES: RouteDoc[] = [
  nativeRoute({
    method: 'post',
    path: '/v1/streams',
    tags: ['streams'],
    operationId: 'createStream',
    summary: 'Register a live stream (camera URL)',
    description:
      'One worker holds each stream under a lease it renews; if that worker dies another takes the stream over once the lease (STREAM_LEASE_MS, 6 s) lapses. Streams spread over the workers (STREAMS_PER_WORKER each at most).',
    parameters: [param.RequestId],
    request: { body: { required: true, content: { 'application/json': { schema: StreamCreateSchema } } } },
    responses: {
      201: {
        description: 'Registered; `state` is `connecting`.',
        headers: { 'X-Request-Id': header.XRequestId, Location: header.Location },
        content: { 'application/json': { schema: StreamViewSchema } },
      },
      400: errors.BadRequest,
      429: errors.TooManyRequests,
    },
  }),
  nativeRoute({
    method: 'get',
    path: '/v1/streams',
    tags: ['streams'],
    operationId: 'listStreams',
    summary: 'Every registered stream',
    parameters: [param.RequestId],
    responses: {
      200: jsonResponse('The streams.', StreamListSchema),
    },
  }),
  nativeRoute({
    method: 'get',
    path: '/v1/streams/{id}',
    tags: ['streams'],
    operationId: 'getStream',
    summary: 'A stream: state, holder and metrics',
    parameters: [param.StreamId, param.RequestId],
    responses: {
      200: jsonResponse('The stream.', StreamViewSchema),
      404: errors.StreamNotFound,
    },
  }),
  nativeRoute({
    method: 'delete',
    path: '/v1/streams/{id}',
    tags: ['streams'],
    operationId: 'deleteStream',
    summary: 'Stop and remove a stream',
    description:
      'Its worker sees the lease gone at its next renewal (a third of STREAM_LEASE_MS) and kills ffmpeg; the registration, lease and events are deleted at once.',
    parameters: [param.StreamId, param.RequestId],
    responses: {
      200: jsonResponse('The stream as it was, with `state: stopped`.', StreamViewSchema),
      404: errors.StreamNotFound,
    },
  }),
  nativeRoute({
    method: 'get',
    path: '/v1/streams/{id}/events',
    tags: ['streams'],
    operationId: 'streamEvents',
    summary: 'Processed frames as Server-Sent Events',
    description:
      'One `frame` event per processed frame (`data`: `StreamFrameEvent`, `id`: the Redis stream entry id; send `Last-Event-ID` to resume), a `: keep-alive` comment every 5 s without frames, and an `end` event when the stream is deleted. The last STREAM_EVENTS_MAX events are kept. The same URL upgrades to a WebSocket (`Upgrade: websocket`; browsers may offer the key as the subprotocol `bearer.<key>` beside `argus.v1`) that sends the same events as JSON messages `{event, id, data}`; refusals (401, 403 `forbidden` for an origin outside CORS_ORIGINS, 404, 503) are answered before the upgrade. Example: `id: 1764660000000-0` / `event: frame` / `data: {"seq":0,"capturedAt":1764660000000,"width":480,"height":360,"detections":[…]}`.',
    parameters: [param.StreamId, param.RequestId],
    responses: {
      200: sseResponse({
        type: 'string',
        description: "Server-Sent Events; each `frame` event's `data` is a `StreamFrameEvent`.",
        contentSchema: { $ref: '#/components/schemas/StreamFrameEvent' },
      }),
      404: errors.StreamNotFound,
    },
  }),
  nativeRoute({
    method: 'get',
    path: '/v1/streams/{id}/frame',
    tags: ['streams'],
    operationId: 'streamFrame',
    summary: 'The latest processed frame (JPEG)',
    description:
      "The frame whose boxes the stream's last event carries, or a newer one: `X-Frame-Seq` is its `seq` (match it with `StreamFrameEvent.seq`). Kept 60 s after the last processed frame; 404 before the first.",
    parameters: [param.StreamId, param.RequestId],
    responses: {
      200: {
        description: 'The frame.',
        headers: {
          'X-Request-Id': header.XRequestId,
          'X-Frame-Seq': { description: "The frame's `seq`.", schema: { type: 'integer' } },
        },
        content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } },
      },
      404: errors.StreamNotFound,
    },
  }),
  deliveryLogRoute({
    path: '/v1/streams/{id}/deliveries',
    tags: ['streams'],
    operationId: 'listStreamDeliveries',
    summary: 'Track webhook deliveries of a live stream and every attempt',
    description:
      'The `track.begin` / `track.end` deliveries of a stream registered with `callbackUrl`, in the same capped log as job deliveries; deleted with the stream.',
    owner: param.StreamId,
    list: StreamDeliveryListSchema,
    notFound: errors.StreamNotFound,
  }),
];
