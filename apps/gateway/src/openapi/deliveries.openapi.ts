import type { ParameterObject } from 'openapi3-ts/oas31';
import type { ZodType } from 'zod';
import * as errors from './openapi.errors';
import { jsonResponse, param, type ErrorResponse, type RouteDoc } from './openapi.components';

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
  return {
    method: 'get',
    path: doc.path,
    tags: doc.tags,
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    security: [{ bearerKey: [] }],
    parameters: [doc.owner, param.RequestId, ...deliveryPage],
    responses: {
      200: jsonResponse('The deliveries, oldest first.', doc.list),
      400: errors.BadRequest,
      404: doc.notFound,
      ...errors.Common,
    },
  };
}
