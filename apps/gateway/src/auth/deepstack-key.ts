import type { Request, RequestHandler, Response } from 'express';
import type { RouteGuards } from '../http/strict-router';

/**
 * The steps that open a DeepStack / CodeProject.AI route (Frigate, Home Assistant): read the
 * form, take the API key from its `api_key` field when the request had no Authorization
 * header, then (for routes that submit work) the same rate limit and quota as every other
 * submission. A route opts in with one spread:
 *
 *   router.post('/v1/vision/custom/:model', ...deepstackAuth(multipartImage('image', s), guards), handler);
 *   router.post('/v1/vision/custom/list', ...deepstackAuth(readFields, guards, { submission: false }), handler);
 *
 * A caller without a key learns nothing about its upload: a form that cannot be read is a
 * 401 unless the key in it (if any) is valid. Refusals carry DeepStack's `success: false`
 * (error-handler.ts, for every path under /v1/vision/).
 */
export function deepstackAuth(
  readForm: RequestHandler,
  guards: Pick<RouteGuards, 'formKey' | 'submitLimit'>,
  opts: { submission: boolean } = { submission: true },
): RequestHandler[] {
  // formKey is async: its refusal arrives as a rejected promise, handed on to `then`.
  const checkKey = (req: Request, res: Response, then: (err?: unknown) => void) =>
    Promise.resolve(guards.formKey(req, res, then)).catch(then);
  const formThenKey: RequestHandler = (req, res, next) => {
    void readForm(req, res, (formError?: unknown) => {
      if (!formError) return void checkKey(req, res, next);
      if (req.access) return next(formError);
      void checkKey(req, res, (keyError?: unknown) => next(keyError ?? formError));
    });
  };
  return opts.submission ? [formThenKey, guards.submitLimit] : [formThenKey];
}
