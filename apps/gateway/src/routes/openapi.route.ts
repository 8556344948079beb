import type { Router } from 'express';
import { strictRouter } from '../http/strict-router';
import fs from 'node:fs';
import path from 'node:path';

/** The OpenAPI document lives in the repo (apps/gateway/openapi.json) and is served as is. */
export const OPENAPI_PATH = path.resolve(__dirname, '..', '..', 'openapi.json');

export function openapiRouter(): Router {
  const router = strictRouter();
  const doc = fs.readFileSync(OPENAPI_PATH, 'utf8');
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(doc);
  });
  return router;
}
