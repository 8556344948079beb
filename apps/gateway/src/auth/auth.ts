import type { Request, RequestHandler } from 'express';
import { AppError } from '@argus/contracts';
import { hashApiKey, type ApiKeyRecord, type ApiKeyStore } from '@argus/queue';
import { OPEN_ACCESS, type Access } from './access';
import type { AuthMode } from './auth-mode';

/** The two halves of authentication the app mounts (see `apiKeyAuth`). */
export interface Authenticator {
  /** App-wide, before routing: public routes pass, the rest need a key (or open mode). */
  authenticate: RequestHandler;
  /**
   * Route-level, after the multipart form is read: the key from the `api_key` field, as
   * DeepStack / CodeProject.AI clients (Frigate) send it. Put it in a route's chain to opt in.
   */
  formKey: RequestHandler;
}

/** GET/HEAD paths anyone may read: probes, the API description, the WebUI page. Exact, case-sensitive. */
const PUBLIC_PATHS = new Set(['/', '/healthz', '/readyz', '/openapi.json']);
/** OIP liveness/readiness, server-wide and per model; a model's metadata still needs a key. */
const OIP_PROBE = /^\/v2\/(health\/(live|ready)|models\/[A-Za-z0-9._+-]+\/ready)$/;

/**
 * Deny by default: a request is public only when it is a GET/HEAD of one of the paths above,
 * of the WebUI's files under `/ui/`, or of `/metrics` when metrics are public. The routers
 * are case-sensitive and strict (app.ts), so `/HEALTHZ` or `/v1/jobs/` match neither this
 * list nor a route: they need a key and then answer 404.
 */
export function isPublicRequest(req: Request, metricsPublic: boolean): boolean {
  if (req.method === 'OPTIONS') return true; // CORS preflights carry no credentials
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (PUBLIC_PATHS.has(req.path)) return true;
  // Open Inference Protocol probes (KServe, Triton conventions) carry no credentials either.
  if (OIP_PROBE.test(req.path)) return true;
  if (req.path === '/metrics') return metricsPublic;
  return req.path.startsWith('/ui/');
}

/**
 * DeepStack's namespace: a POST here without an Authorization header is let through to its
 * route, whose `formKey` step reads `api_key` from the form. A route under it that does not
 * opt in still refuses: handlers take the caller from `accessOf`, which throws without one.
 */
const DEEPSTACK_PREFIX = '/v1/vision/';

const unauthorized = (message: string) => new AppError('unauthorized', message);

/**
 * API keys: from API_KEYS / API_ADMIN_KEYS (hashed at boot) and from the Redis key store
 * shared by every gateway (`npm run keys`), compared by their SHA-256. Whether a request
 * without a key is served is the AuthMode's decision (open is chosen, never fallen into).
 */
export function apiKeyAuth(deps: {
  store: ApiKeyStore;
  mode: AuthMode;
  envKeys: readonly string[];
  envAdminKeys: readonly string[];
  metricsPublic: boolean;
}): Authenticator {
  const envRecords = new Map<string, ApiKeyRecord>();
  deps.envKeys.forEach((key, i) =>
    envRecords.set(hashApiKey(key), {
      id: `env_${i + 1}`,
      name: `API_KEYS #${i + 1}`,
      createdAt: '',
      role: 'client',
    }),
  );
  deps.envAdminKeys.forEach((key, i) =>
    envRecords.set(hashApiKey(key), {
      id: `env_admin_${i + 1}`,
      name: `API_ADMIN_KEYS #${i + 1}`,
      createdAt: '',
      role: 'admin',
    }),
  );

  /** A presented key → the caller; 401 when unknown or revoked, 503 when the store is unreachable. */
  const verify = async (key: string): Promise<Access | null> => {
    const record = envRecords.get(hashApiKey(key)) ?? (await deps.store.lookup(key));
    if (!record || record.revokedAt) return null;
    deps.mode.protect('a request carried a valid API key');
    return { kind: 'key', key: record, admin: record.role === 'admin' };
  };

  const authenticate: RequestHandler = async (req, res, next) => {
    if (isPublicRequest(req, deps.metricsPublic)) return next();
    const header = req.get('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const access = match ? await verify(match[1]) : null;
      if (access) {
        req.access = access;
        return next();
      }
      // An open API ignores a key it does not know (a WebUI with a stale key still works).
      if (!(await deps.mode.stillOpen())) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="argus"');
        throw unauthorized(
          match
            ? 'the API key is not valid (unknown or revoked)'
            : 'the Authorization header must be "Bearer <key>"',
        );
      }
    }
    if (await deps.mode.stillOpen()) {
      req.access = OPEN_ACCESS;
      return next();
    }
    if (req.method === 'POST' && req.path.startsWith(DEEPSTACK_PREFIX)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="argus"');
    throw unauthorized('this API needs a key: send "Authorization: Bearer <key>"');
  };

  const formKey: RequestHandler = async (req, _res, next) => {
    if (req.access) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const key = typeof body.api_key === 'string' ? body.api_key : '';
    if (!key)
      throw unauthorized(
        'this API needs a key: send the api_key form field or "Authorization: Bearer <key>"',
      );
    const access = await verify(key);
    if (!access) throw unauthorized('the API key is not valid (unknown or revoked)');
    req.access = access;
    next();
  };

  return { authenticate, formKey };
}

/** No authentication configured (apps built in tests to read the route table): open, said explicitly. */
export const OPEN_AUTH: Authenticator = {
  authenticate: (req, _res, next) => {
    req.access = OPEN_ACCESS;
    next();
  },
  formKey: (_req, _res, next) => next(),
};
