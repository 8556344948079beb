import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { jsonResponse, param, uploadBody } from './openapi.components';
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

/** What a synchronous compat endpoint refuses with, in its clients' error shape. */
function syncErrors(e: typeof errors.compat, notFound: RouteDoc['responses'][number] = e.NotFound) {
  return {
    400: e.BadRequest,
    401: e.Unauthorized,
    404: notFound,
    410: e.Gone,
    413: e.PayloadTooLarge,
    415: e.UnsupportedMediaType,
    422: e.UnprocessableImage,
    429: e.TooManyRequests,
    500: e.InternalError,
    503: e.Unavailable,
    504: e.Timeout,
  };
}

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
    request: uploadBody(SeedDetectFormSchema, 'file'),
    responses: {
      200: jsonResponse('The detections.', SeedDetectResponseSchema),
      ...syncErrors(errors.compat),
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
    request: uploadBody(DeepStackDetectionFormSchema, 'image'),
    responses: {
      200: jsonResponse('The predictions.', DeepStackDetectionResponseSchema),
      ...syncErrors(errors.compat),
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
    request: uploadBody(SeedParseFormSchema, 'image'),
    responses: {
      200: jsonResponse('The parse summary and overlay.', SeedParseResponseSchema),
      ...syncErrors(errors.seedParse),
    },
  },
  // CodeProject.AI answers the model list on GET and POST; so does Argus.
  ...(['get', 'post'] as const).map((method): RouteDoc => ({
    method,
    path: '/v1/vision/custom/list',
    tags: ['compat'],
    operationId: method === 'get' ? 'deepstackCustomListGet' : 'deepstackCustomListPost',
    summary: 'List the custom models (DeepStack / CodeProject.AI API)',
    description:
      'The detection and segmentation models `POST /v1/vision/custom/{model}` runs. CodeProject.AI answers on GET and POST; so does Argus.',
    security: [{ bearerKey: [] }],
    parameters: [param.RequestId],
    responses: {
      200: jsonResponse('The model ids.', DeepStackModelListSchema),
      401: errors.compat.Unauthorized,
      500: errors.compat.InternalError,
    },
  })),
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
    request: uploadBody(DeepStackCustomFormSchema, 'image'),
    responses: {
      200: jsonResponse('The predictions.', DeepStackDetectionResponseSchema),
      ...syncErrors(errors.compat, errors.CustomModelNotFound),
    },
  },
];
