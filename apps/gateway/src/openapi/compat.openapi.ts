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

/** A synchronous compat upload: POST, `X-Request-Id`, one answer, its clients' refusals. */
function syncRoute(doc: {
  path: string;
  operationId: string;
  summary: string;
  description: string;
  request: RouteDoc['request'];
  answer: RouteDoc['responses'][number];
  parameters?: RouteDoc['parameters'];
  errors?: ReturnType<typeof syncErrors>;
}): RouteDoc {
  return {
    method: 'post',
    path: doc.path,
    tags: ['compat'],
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    security: [{ bearerKey: [] }],
    parameters: doc.parameters ?? [param.RequestId],
    request: doc.request,
    responses: { 200: doc.answer, ...(doc.errors ?? syncErrors(errors.compat)) },
  };
}

/** The documentation of the compat routes (see openapi.document.ts). */
export const COMPAT_ROUTES: RouteDoc[] = [
  syncRoute({
    path: '/detect',
    operationId: 'seedDetect',
    summary: 'Detect objects, synchronously (the original Flask service API)',
    description: 'Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job.',
    request: uploadBody(SeedDetectFormSchema, 'file'),
    answer: jsonResponse('The detections.', SeedDetectResponseSchema),
  }),
  syncRoute({
    path: '/v1/vision/detection',
    operationId: 'deepstackDetect',
    summary: 'Detect objects, synchronously (DeepStack / CodeProject.AI API)',
    description: 'For Frigate and Home Assistant. Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job.',
    request: uploadBody(DeepStackDetectionFormSchema, 'image'),
    answer: jsonResponse('The predictions.', DeepStackDetectionResponseSchema),
  }),
  syncRoute({
    path: '/api/parse',
    operationId: 'seedParse',
    summary: 'Parse people, synchronously (the original M2FP service API)',
    description:
      'Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job; the overlay PNG comes back inline as base64.',
    request: uploadBody(SeedParseFormSchema, 'image'),
    answer: jsonResponse('The parse summary and overlay.', SeedParseResponseSchema),
    errors: syncErrors(errors.seedParse),
  }),
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
  syncRoute({
    path: '/v1/vision/custom/{model}',
    operationId: 'deepstackCustom',
    summary:
      'Run a named detection or segmentation model, synchronously (DeepStack / CodeProject.AI custom models)',
    description:
      "For Frigate, Blue Iris and Home Assistant. `{model}` is any id from `/v1/vision/custom/list`; a segmentation model answers with its instances' boxes (no masks, no overlay). The model is checked before the upload is read. Waits up to SYNC_TIMEOUT_MS (default 30 s) for the job.",
    parameters: [param.CustomModel, param.RequestId],
    request: uploadBody(DeepStackCustomFormSchema, 'image'),
    answer: jsonResponse('The predictions.', DeepStackDetectionResponseSchema),
    errors: syncErrors(errors.compat, errors.CustomModelNotFound),
  }),
];
