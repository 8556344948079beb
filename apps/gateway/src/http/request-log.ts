import type { Express, Request, RequestHandler, Response } from 'express';
import type { Logger } from '@argus/config';
import type { GatewayTelemetry } from '../metrics/gateway-telemetry';
import { keyIdOf } from '../auth/access';

/** Probes and scrapes arrive every few seconds: logged at debug so they do not drown the rest. */
const QUIET_ROUTES = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * One log line and one metrics observation per request, when the answer is sent (or the
 * client goes away: status 499): method, route template, status, duration, request id,
 * the id of the API key (never the key), and the error code or job id the answer carried.
 */
export function requestLog(log: Logger, telemetry?: GatewayTelemetry): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();

    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? res.statusCode : 499;
      const route = routeOf(req);
      const carried = res.locals[CARRIED] as Carried | undefined;
      telemetry?.request({ method: req.method, route, status, seconds, code: carried?.code });
      const fields = {
        method: req.method,
        route,
        path: req.originalUrl.split('?')[0],
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        requestId: req.requestId,
        ...(keyIdOf(req) && { keyId: keyIdOf(req) }),
        ...carried,
      };
      if (QUIET_ROUTES.has(route) && status < 500) log.debug('request', fields);
      else log.info('request', fields);
    };
    res.on('finish', observe);
    res.on('close', observe);
    next();
  };
}

type Carried = { code?: string; jobId?: string };
const CARRIED = 'argusLogCarried';

/**
 * The answer's body is the one place that names the error code and the job: the app's
 * `res.json` notes them (in `res.locals`) as the body goes by, rather than every handler
 * reporting them. Patched once on the app's response prototype: a per-request wrapper
 * (an own `json` on every response) cost about as much CPU as the rest of a cache hit.
 */
export function noteJsonAnswers(app: Express): void {
  const json = app.response.json;
  app.response.json = function (this: Response, body: unknown) {
    this.locals[CARRIED] = describeBody(body, this.statusCode >= 400);
    return json.call(this, body);
  } as Response['json'];
}

/** The route template that answered (`/v1/jobs/:id`), never the raw path; `unmatched` for 404s. */
export function routeOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
}

function describeBody(body: unknown, isError: boolean): { code?: string; jobId?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as { id?: unknown; task?: unknown; error?: { code?: unknown } };
  const code = isError && typeof b.error?.code === 'string' ? b.error.code : undefined;
  const jobId = typeof b.id === 'string' && typeof b.task === 'string' ? b.id : undefined;
  return { ...(code && { code }), ...(jobId && { jobId }) };
}
