import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

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
  /**
   * Deadline of every command (ioredis `commandTimeout`), for `producer` connections only:
   * a slow or stalled Redis rejects the command ("Command timed out") and the request
   * answers 503 `unavailable` (see `isRedisUnavailable`). Never set on `worker` connections:
   * BullMQ duplicates them for its blocking reads (BZPOPMIN, XREAD BLOCK), which a command
   * timeout would cut short.
   */
  commandTimeoutMs?: number;
}

export type { Redis } from 'ioredis';

/** A connection from `createRedis`: one Redis server, or a Redis Cluster. BullMQ takes either. */
export type RedisClient = Redis | Cluster;

export interface RedisNode {
  host: string;
  port: number;
}

/** Where `REDIS_URL` points, as `parseRedisUrl` reads it. */
export type RedisEndpoint =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean };

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#@]+)\/?$/;
const NODE = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/;

/**
 * Reads a `REDIS_URL`:
 * - `redis://[user:password@]host:port[/db]` (`rediss://` for TLS): one Redis server;
 * - `redis+cluster://[user:password@]host1:port1,host2:port2,…` (`rediss+cluster://` for
 *   TLS): seed nodes of a Redis Cluster (any reachable one is enough; the client discovers
 *   the others). A port left out is 6379. No database number: a cluster has only db 0.
 * Throws an Error naming the problem for a malformed cluster form.
 */
export function parseRedisUrl(url: string): RedisEndpoint {
  if (!/^rediss?\+cluster:/i.test(url)) return { kind: 'single', url };
  const m = CLUSTER_URL.exec(url);
  if (!m) throw new Error(`REDIS_URL ${url}: expected redis+cluster://[user:password@]host:port,host:port,…`);
  const [, scheme, userinfo, hostList] = m;
  const nodes = hostList.split(',').map((part) => {
    const n = NODE.exec(part.trim());
    const port = Number(n?.[3] ?? 6379);
    if (!n || port < 1 || port > 65_535) throw new Error(`REDIS_URL: "${part}" is not host:port`);
    return { host: n[1] ?? n[2], port };
  });
  const colon = userinfo?.indexOf(':') ?? -1;
  const username = userinfo ? decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo) : '';
  const password = userinfo && colon >= 0 ? decodeURIComponent(userinfo.slice(colon + 1)) : '';
  return {
    kind: 'cluster',
    nodes,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: scheme === 'rediss',
  };
}

/** Reconnect with a capped backoff; never give up (a restarted Redis comes back). */
const reconnectDelay = (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000);

/**
 * A connection to `url` (either form of `parseRedisUrl`) with the role's policy. On a
 * cluster, keys that one command or MULTI touches together must share a slot: see
 * `RedisKeys` and `bullPrefix` for the hash tags that ensure it.
 */
export function createRedis(url: string, opts: ConnectionOptions): RedisClient {
  const endpoint = parseRedisUrl(url);
  const producer = opts.role === 'producer';
  const perNode = {
    connectionName: opts.name,
    connectTimeout: 5_000,
    maxRetriesPerRequest: producer ? 1 : null,
    ...(producer && opts.commandTimeoutMs ? { commandTimeout: opts.commandTimeoutMs } : {}),
  } satisfies RedisOptions;
  let client: RedisClient;
  if (endpoint.kind === 'single') {
    client = new Redis(url, { ...perNode, retryStrategy: reconnectDelay, enableOfflineQueue: !producer });
  } else {
    const options: ClusterOptions = {
      redisOptions: {
        ...perNode,
        ...(endpoint.username ? { username: endpoint.username } : {}),
        ...(endpoint.password ? { password: endpoint.password } : {}),
        ...(endpoint.tls ? { tls: {} } : {}),
      },
      enableOfflineQueue: !producer,
      clusterRetryStrategy: reconnectDelay,
      // A master that restarts in place (no failover) is reconnected, not only rediscovered.
      clusterNodeRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: 2_000,
      // Managed TLS clusters (e.g. ElastiCache) need the node names kept for certificate checks.
      ...(endpoint.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    };
    client = new Cluster(endpoint.nodes, options);
  }
  // Without a listener ioredis prints every reconnect failure as an unhandled error event.
  client.on('error', opts.onError ?? (() => undefined));
  return client;
}

/**
 * A connection of its own for blocking reads (XREAD BLOCK), from a producer connection: it
 * queues commands while connecting (the first read waits instead of failing fast) and has
 * no command timeout (a blocking read outlasts any request deadline by design).
 */
export function blockingConnection(client: Redis): Redis {
  return client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForReady(redis: RedisClient, timeoutMs: number): Promise<void> {
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

/**
 * Checks that something answers PING at `url`, without keeping a connection. For the
 * cluster form, any seed node answering is enough.
 */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<boolean> {
  const endpoint = parseRedisUrl(url);
  if (endpoint.kind === 'single') return pingOne(url, {}, timeoutMs);
  for (const node of endpoint.nodes) {
    const options: RedisOptions = {
      host: node.host,
      port: node.port,
      ...(endpoint.username ? { username: endpoint.username } : {}),
      ...(endpoint.password ? { password: endpoint.password } : {}),
      ...(endpoint.tls ? { tls: {} } : {}),
    };
    if (await pingOne(undefined, options, timeoutMs)) return true;
  }
  return false;
}

async function pingOne(url: string | undefined, target: RedisOptions, timeoutMs: number): Promise<boolean> {
  const options: RedisOptions = {
    ...target,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  };
  const redis = url === undefined ? new Redis(options) : new Redis(url, options);
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
