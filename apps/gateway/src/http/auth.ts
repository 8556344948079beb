import type { RequestHandler } from 'express';
import { AppError } from '@argus/contracts';
import type { Logger } from '@argus/config';
import { hashApiKey, type ApiKeyRecord, type ApiKeyStore } from '@argus/queue';
import { guardRedis } from './redis-guard';

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller's API key record; undefined when the API runs open. */
    apiKey?: ApiKeyRecord;
  }
}

/** Paths that stay open: probes, the API description, metrics and the WebUI's files. */
export function isPublicPath(path: string): boolean {
  return !(path.startsWith('/v1/') || path === '/detect' || path.startsWith('/api/'));
}

/**
 * Bearer API keys. Keys come from API_KEYS (hashed at boot) and from the Redis key store
 * shared by every gateway (`npm run keys`). While neither holds a key the API is open
 * (development), which the gateway says at startup; the store's count is re-read every
 * few seconds, so creating the first key closes the API without a restart.
 */
export function apiKeyAuth(deps: {
  store: ApiKeyStore;
  envKeys: readonly string[];
  redisTimeoutMs: number;
  log: Logger;
}): RequestHandler & { refresh(): Promise<boolean> } {
  const envHashes = new Map<string, ApiKeyRecord>(
    deps.envKeys.map((key, i) => [
      hashApiKey(key),
      { id: `env_${i + 1}`, name: `API_KEYS #${i + 1}`, createdAt: '' },
    ]),
  );
  let storeHasKeys = false;
  let checkedAt = 0;
  const refresh = async (): Promise<boolean> => {
    storeHasKeys = (await guardRedis(() => deps.store.activeCount(), deps.redisTimeoutMs)) > 0;
    checkedAt = Date.now();
    return envHashes.size > 0 || storeHasKeys;
  };

  const handler: RequestHandler = async (req, res, next) => {
    if (req.method === 'OPTIONS' || isPublicPath(req.path)) return next();
    if (Date.now() - checkedAt > 5_000) await refresh();
    if (envHashes.size === 0 && !storeHasKeys) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    res.setHeader('WWW-Authenticate', 'Bearer realm="argus"');
    if (!match) {
      throw new AppError('unauthorized', 'this API needs a key: send "Authorization: Bearer <key>"');
    }
    const fromEnv = envHashes.get(hashApiKey(match[1]));
    const record = fromEnv ?? (await guardRedis(() => deps.store.lookup(match[1]), deps.redisTimeoutMs));
    if (!record || record.revokedAt)
      throw new AppError('unauthorized', 'the API key is not valid (unknown or revoked)');
    res.removeHeader('WWW-Authenticate');
    req.apiKey = record;
    next();
  };
  return Object.assign(handler, { refresh });
}
