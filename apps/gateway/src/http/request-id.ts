import crypto from 'node:crypto';
import type { RequestHandler } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `requestId`; echoed as X-Request-Id and carried into job data. */
    requestId: string;
  }
}

/** Accepts a caller's X-Request-Id (if sane) or makes one, and echoes it back. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  req.requestId = given && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : crypto.randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
};
