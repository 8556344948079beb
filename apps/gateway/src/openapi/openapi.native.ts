import type { ParameterObject } from 'openapi3-ts/oas31';
import type { ZodType } from 'zod';
import * as errors from './openapi.errors';
import { jsonResponse, param, type ErrorResponse, type RouteDoc } from './openapi.components';

/**
 * A route of the native API: it takes the bearer key and, besides its own answers, may answer
 * 401 (no key), 500 (unexpected) and 503 (Redis down). Keys keep the order the document has
 * always had (security before parameters).
 */
export function nativeRoute(doc: Omit<RouteDoc, 'security'>): RouteDoc {
  const { parameters, request, responses, ...head } = doc;
  return {
    ...head,
    security: [{ bearerKey: [] }],
    parameters,
    ...(request ? { request } : {}),
    responses: { ...responses, ...errors.Common },
  };
}

/** The page of a delivery log (a job's or a stream's): `limit`, then `cursor`. */
const deliveryPage: ParameterObject[] = [
  {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'Deliveries per page (default 50).',
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
  {
    name: 'cursor',
    in: 'query',
    required: false,
    description: '`nextCursor` of the previous page.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
];

/**
 * A delivery log's page (a job's webhooks, a stream's track webhooks): both logs are read the
 * same way, so their routes differ only in the owner's path, the names and the list schema.
 */
export function deliveryLogRoute(doc: {
  path: string;
  tags: string[];
  operationId: string;
  summary: string;
  description: string;
  owner: ParameterObject;
  list: ZodType;
  notFound: ErrorResponse;
}): RouteDoc {
  return nativeRoute({
    method: 'get',
    path: doc.path,
    tags: doc.tags,
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    parameters: [doc.owner, param.RequestId, ...deliveryPage],
    responses: {
      200: jsonResponse('The deliveries, oldest first.', doc.list),
      400: errors.BadRequest,
      404: doc.notFound,
    },
  });
}
