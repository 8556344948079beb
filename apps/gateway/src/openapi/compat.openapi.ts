import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { param, header } from './openapi.components';
import {
  DeepStackCustomFormSchema,
  DeepStackDetectionFormSchema,
  SeedDetectFormSchema,
  SeedParseFormSchema,
} from './forms.schemas';
import {
  DeepStackDetectionResponseSchema,
  DeepStackModelListSchema,
  SeedDetectResponseSchema,
  SeedParseResponseSchema,
} from './compat.schemas';

/** The documentation of the compat routes (see openapi.document.ts). */
export const COMPAT_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/detect',
    tags: ['compat'],
    operationId: 'seedDetect',
    summary: 'Detect objects, synchronously (the original Flask service API)',
    description: 'Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job.',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: SeedDetectFormSchema,
            encoding: {
              file: { contentType: 'image/jpeg, image/png, image/webp, application/octet-stream' },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The detections.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: SeedDetectResponseSchema } },
      },
      400: errors.CompatBadRequest,
      401: errors.CompatUnauthorized,
      404: errors.CompatNotFound,
      410: errors.CompatGone,
      413: errors.CompatPayloadTooLarge,
      415: errors.CompatUnsupportedMediaType,
      422: errors.CompatUnprocessableImage,
      429: errors.CompatTooManyRequests,
      500: errors.CompatInternalError,
      503: errors.CompatUnavailable,
      504: errors.CompatTimeout,
    },
  },
  {
    method: 'post',
    path: '/v1/vision/detection',
    tags: ['compat'],
    operationId: 'deepstackDetect',
    summary: 'Detect objects, synchronously (DeepStack / CodeProject.AI API)',
    description: 'For Frigate and Home Assistant. Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job.',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: DeepStackDetectionFormSchema,
            encoding: {
              image: { contentType: 'image/jpeg, image/png, image/webp, application/octet-stream' },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The predictions.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: DeepStackDetectionResponseSchema } },
      },
      400: errors.CompatBadRequest,
      401: errors.CompatUnauthorized,
      404: errors.CompatNotFound,
      410: errors.CompatGone,
      413: errors.CompatPayloadTooLarge,
      415: errors.CompatUnsupportedMediaType,
      422: errors.CompatUnprocessableImage,
      429: errors.CompatTooManyRequests,
      500: errors.CompatInternalError,
      503: errors.CompatUnavailable,
      504: errors.CompatTimeout,
    },
  },
  {
    method: 'post',
    path: '/api/parse',
    tags: ['compat'],
    operationId: 'seedParse',
    summary: 'Parse people, synchronously (the original M2FP service API)',
    description:
      'Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job; the overlay PNG comes back inline as base64.',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: SeedParseFormSchema,
            encoding: {
              image: { contentType: 'image/jpeg, image/png, image/webp, application/octet-stream' },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The parse summary and overlay.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: SeedParseResponseSchema } },
      },
      400: errors.SeedParseBadRequest,
      401: errors.SeedParseUnauthorized,
      404: errors.SeedParseNotFound,
      410: errors.SeedParseGone,
      413: errors.SeedParsePayloadTooLarge,
      415: errors.SeedParseUnsupportedMediaType,
      422: errors.SeedParseUnprocessableImage,
      429: errors.SeedParseTooManyRequests,
      500: errors.SeedParseInternalError,
      503: errors.SeedParseUnavailable,
      504: errors.SeedParseTimeout,
    },
  },
  {
    method: 'get',
    path: '/v1/vision/custom/list',
    tags: ['compat'],
    operationId: 'deepstackCustomListGet',
    summary: 'List the custom models (DeepStack / CodeProject.AI API)',
    description:
      'The detection and segmentation models `POST /v1/vision/custom/{model}` runs. CodeProject.AI answers on GET and POST; so does Argus.',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    responses: {
      200: {
        description: 'The model ids.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: DeepStackModelListSchema } },
      },
      401: errors.CompatUnauthorized,
      500: errors.CompatInternalError,
    },
  },
  {
    method: 'post',
    path: '/v1/vision/custom/list',
    tags: ['compat'],
    operationId: 'deepstackCustomListPost',
    summary: 'List the custom models (DeepStack / CodeProject.AI API)',
    description:
      'The detection and segmentation models `POST /v1/vision/custom/{model}` runs. CodeProject.AI answers on GET and POST; so does Argus.',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    responses: {
      200: {
        description: 'The model ids.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: DeepStackModelListSchema } },
      },
      401: errors.CompatUnauthorized,
      500: errors.CompatInternalError,
    },
  },
  {
    method: 'post',
    path: '/v1/vision/custom/{model}',
    tags: ['compat'],
    operationId: 'deepstackCustom',
    summary:
      'Run a named detection or segmentation model, synchronously (DeepStack / CodeProject.AI custom models)',
    description:
      "For Frigate, Blue Iris and Home Assistant. `{model}` is any id from `/v1/vision/custom/list`; a segmentation model answers with its instances' boxes (no masks, no overlay). The model is checked before the upload is read. Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job.",
    security: [{ bearerKey: [] }],
    parameters: [param.CustomModel, param.RequestId],
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: DeepStackCustomFormSchema,
            encoding: {
              image: { contentType: 'image/jpeg, image/png, image/webp, application/octet-stream' },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The predictions.',
        headers: { 'X-Request-Id': header.XRequestId },
        content: { 'application/json': { schema: DeepStackDetectionResponseSchema } },
      },
      400: errors.CompatBadRequest,
      401: errors.CompatUnauthorized,
      404: errors.CustomModelNotFound,
      410: errors.CompatGone,
      413: errors.CompatPayloadTooLarge,
      415: errors.CompatUnsupportedMediaType,
      422: errors.CompatUnprocessableImage,
      429: errors.CompatTooManyRequests,
      500: errors.CompatInternalError,
      503: errors.CompatUnavailable,
      504: errors.CompatTimeout,
    },
  },
];
