import { Router, type RequestHandler } from 'express';

/** Every router: case-sensitive and strict like the app, so no second spelling reaches a route. */
export function strictRouter(): Router {
  return Router({ caseSensitive: true, strict: true });
}

/** The per-route steps the routers put in their chains (app.ts builds them). */
export interface RouteGuards {
  /** Per-key rate limit and daily quota on submissions. */
  submitLimit: RequestHandler;
  /** Per-job limit on redeliveries. */
  redeliverLimit: RequestHandler;
  /** The DeepStack `api_key` form field (after the form is read). */
  formKey: RequestHandler;
}
