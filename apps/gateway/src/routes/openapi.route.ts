import type { Router } from 'express';
import { strictRouter } from '../http/strict-router';
import { buildOpenApiDocument } from '../openapi/openapi.document';

/** The OpenAPI document, generated once from the zod schemas and the route docs, served as JSON. */
export function openapiRouter(): Router {
  const router = strictRouter();
  const doc = JSON.stringify(buildOpenApiDocument());
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(doc);
  });
  return router;
}
