import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { param, header } from './openapi.components';

/** The documentation of the images, videos routes (see openapi.document.ts). */
export const ARTIFACTS_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/jobs/{id}/overlay.png',
    tags: ['images'],
    operationId: 'getJobOverlay',
    summary: 'The parse overlay: the photo with part colours blended in at `alpha`',
    description: 'RGB PNG at the original size.',
    security: [{ bearerKey: [] }],
    parameters: [param.JobId, param.RequestId],
    responses: {
      200: {
        description: 'The PNG.',
        headers: { 'X-Request-Id': header.XRequestId, 'Cache-Control': header.CacheControl },
        content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } },
      },
      401: errors.Unauthorized,
      404: errors.ImageNotFound,
      409: errors.JobNotReady,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/labels.png',
    tags: ['images'],
    operationId: 'getJobLabels',
    summary: 'The parse label map',
    description:
      '8-bit palette PNG at the original size: pixel value = LIP part id (0 = Background, see `LipLabel`); the palette holds the `legend` colours.',
    security: [{ bearerKey: [] }],
    parameters: [param.JobId, param.RequestId],
    responses: {
      200: {
        description: 'The PNG.',
        headers: { 'X-Request-Id': header.XRequestId, 'Cache-Control': header.CacheControl },
        content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } },
      },
      401: errors.Unauthorized,
      404: errors.ImageNotFound,
      409: errors.JobNotReady,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/persons/{n}/mask.png',
    tags: ['images'],
    operationId: 'getJobPersonMask',
    summary: "One person's mask",
    description:
      "8-bit greyscale PNG at the original size: 255 = the person's pixels, 0 elsewhere. `n` is the 0-based index in `persons` (person `id` − 1), as in `links.masks`.",
    security: [{ bearerKey: [] }],
    parameters: [param.JobId, param.PersonIndex, param.RequestId],
    responses: {
      200: {
        description: 'The PNG.',
        headers: { 'X-Request-Id': header.XRequestId, 'Cache-Control': header.CacheControl },
        content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } },
      },
      401: errors.Unauthorized,
      404: errors.ImageNotFound,
      409: errors.JobNotReady,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/instances/{n}/mask.png',
    tags: ['images'],
    operationId: 'getJobInstanceMask',
    summary: "One segmented instance's mask",
    description:
      "8-bit greyscale PNG at the original size: 255 = the instance's pixels, 0 elsewhere, drawn from `result.instances[n].mask`. 404 for jobs of other tasks.",
    security: [{ bearerKey: [] }],
    parameters: [param.JobId, param.InstanceIndex, param.RequestId],
    responses: {
      200: {
        description: 'The PNG.',
        headers: { 'X-Request-Id': header.XRequestId, 'Cache-Control': header.CacheControl },
        content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } },
      },
      401: errors.Unauthorized,
      404: errors.ImageNotFound,
      409: errors.JobNotReady,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/annotated.mp4',
    tags: ['videos'],
    operationId: 'getJobAnnotatedVideo',
    summary: 'Video jobs: the annotated MP4',
    description:
      "The sampled frames at the sampling rate with boxes labelled `label #trackId` (parse: over each person's mask tinted in the track's colour), H.264 (libx264, or MPEG-4 part 2 when ffmpeg lacks it).",
    security: [{ bearerKey: [] }],
    parameters: [param.JobId, param.RequestId],
    responses: {
      200: {
        description: 'The file.',
        headers: { 'X-Request-Id': header.XRequestId, 'Cache-Control': header.CacheControl },
        content: { 'video/mp4': { schema: { type: 'string', contentMediaType: 'video/mp4' } } },
      },
      401: errors.Unauthorized,
      404: errors.ImageNotFound,
      409: errors.JobNotReady,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/contact-sheet.jpg',
    tags: ['videos'],
    operationId: 'getJobContactSheet',
    summary: 'Video jobs: a contact sheet',
    description: 'Up to 12 evenly spaced annotated frames in a grid of 4 columns, 320 px wide each, JPEG.',
    security: [{ bearerKey: [] }],
    parameters: [param.JobId, param.RequestId],
    responses: {
      200: {
        description: 'The file.',
        headers: { 'X-Request-Id': header.XRequestId, 'Cache-Control': header.CacheControl },
        content: { 'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } } },
      },
      401: errors.Unauthorized,
      404: errors.ImageNotFound,
      409: errors.JobNotReady,
      500: errors.InternalError,
      503: errors.Unavailable,
    },
  },
];
