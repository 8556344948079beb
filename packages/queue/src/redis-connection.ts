import { Redis, type RedisOptions } from 'ioredis';

/**
 * How a connection behaves when Redis is away:
 * - `producer` (gateway request path): fail fast, so a request can answer 503 instead of
 *   hanging on a queued command.
 * - `worker` (BullMQ workers, blocking reads): retry forever, as BullMQ requires
 *   (`maxRetriesPerRequest: null`), so workers ride out a Redis restart.
 */
export type ConnectionRole = 'producer' | 'worker';

export interface ConnectionOptions {
  role: ConnectionRole;
  /** Shown in CLIENT LIST, which helps when reading a busy Redis. */
  name: string;
  onError?: (err: Error) => void;
}

export function createRedis(url: string, opts: ConnectionOptions): Redis {
  const common: RedisOptions = {
    connectionName: opts.name,
    connectTimeout: 5_000,
    // Reconnect with a capped backoff; never give up (a restarted Redis comes back).
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
  };
  const policy: RedisOptions =
    opts.role === 'producer'
      ? { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false }
      : { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true };
  const redis = new Redis(url, policy);
  // Without a listener ioredis prints every reconnect failure as an unhandled error event.
  redis.on('error', opts.onError ?? (() => undefined));
  return redis;
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** Checks that something answers PING at `url`, without keeping a connection. */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
