import http from 'node:http';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, Logger } from '@argus/config';
import { TASKS, type Task } from '@argus/contracts';
import { manifestPathFor, readManifest } from '@argus/models';
import {
  ApiKeyStore,
  BlobStore,
  bullPrefix,
  createQueue,
  createRedis,
  createWebhookQueue,
  JobEvents,
  RateLimiter,
  RedisKeys,
  waitForReady,
  WorkerRegistry,
} from '@argus/queue';
import { MetricsSnapshotStore } from '@argus/metrics';
import { createApp } from './app';
import { GatewayTelemetry } from './metrics/gateway-telemetry';
import { JobService } from './jobs/job.service';
import { Backpressure } from './jobs/backpressure';
import { apiKeyAuth } from './http/auth';
import { submitRateLimit } from './http/rate-limit';
import { IdempotencyStore } from './jobs/idempotency';
import { guardRedis } from './http/redis-guard';

export interface GatewayApp {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/** Wires connections, queues and the HTTP app, and starts listening. */
export async function startGateway(config: Config, log: Logger): Promise<GatewayApp> {
  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const onRedisError = (err: Error) => log.warn('redis connection error', { err: err.message });
  // Typed as a single-node client for the services that still take `Redis`; with REDIS_URL
  // in cluster form it is an ioredis Cluster, which has the same commands (RedisClient).
  const redis = createRedis(config.REDIS_URL, {
    role: 'producer',
    name: 'argus-gateway',
    onError: onRedisError,
  }) as Redis;
  await waitForReady(redis, 10_000);

  const settings = { prefix: config.KEY_PREFIX, retentionSeconds: config.RESULT_TTL_SECONDS };
  const queues = Object.fromEntries(TASKS.map((t) => [t, createQueue(t, redis, settings)])) as Record<
    Task,
    ReturnType<typeof createQueue>
  >;
  // QueueEvents holds a blocking read, so it gets its own retry-forever connection.
  const events = Object.fromEntries(
    TASKS.map((t) => {
      const qe = new QueueEvents(t, {
        connection: createRedis(config.REDIS_URL, {
          role: 'worker',
          name: `argus-gateway-events-${t}`,
          onError: onRedisError,
        }),
        prefix: bullPrefix(config.KEY_PREFIX, t),
      });
      qe.on('error', (err) => log.warn('queue events error', { task: t, err: err.message }));
      return [t, qe];
    }),
  ) as Record<Task, QueueEvents>;

  const keys = new RedisKeys(config.KEY_PREFIX);
  const blobs = new BlobStore(redis);
  const webhookQueue = createWebhookQueue(redis, { ...settings, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS });
  const jobEvents = new JobEvents(redis, keys, webhookQueue, config.RESULT_TTL_SECONDS);
  const idempotency = new IdempotencyStore(redis, keys, config.IDEMPOTENCY_TTL_SECONDS, (op) =>
    guardRedis(op, config.REDIS_OP_TIMEOUT_MS),
  );
  const jobs = new JobService({
    queues,
    events,
    jobEvents,
    backpressure: new Backpressure(
      queues,
      { maxDepth: config.MAX_QUEUE_DEPTH, maxWaitMs: config.MAX_QUEUE_WAIT_MS },
      (op) => guardRedis(op, config.REDIS_OP_TIMEOUT_MS),
    ),
    blobs,
    keys,
    manifest,
    settings: {
      resultTtlSeconds: config.RESULT_TTL_SECONDS,
      blobTtlSeconds: config.BLOB_TTL_SECONDS,
      redisTimeoutMs: config.REDIS_OP_TIMEOUT_MS,
    },
  });
  const telemetry = new GatewayTelemetry({
    queues,
    snapshots: new MetricsSnapshotStore(redis, config.KEY_PREFIX),
    redisTimeoutMs: config.REDIS_OP_TIMEOUT_MS,
    defaultMetrics: true,
  });
  const auth = apiKeyAuth({
    store: new ApiKeyStore(redis, keys),
    envKeys: config.API_KEYS,
    redisTimeoutMs: config.REDIS_OP_TIMEOUT_MS,
    log,
  });
  if (await auth.refresh()) log.info('API keys required (Authorization: Bearer <key>)');
  else
    log.warn(
      'API is OPEN: no API keys configured (set API_KEYS or run `npm run keys -- create --name <who>`)',
    );
  const submitLimit = submitRateLimit(new RateLimiter(redis), keys, {
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
    burst: config.RATE_LIMIT_BURST,
    dailyQuota: config.DAILY_JOB_QUOTA,
    redisTimeoutMs: config.REDIS_OP_TIMEOUT_MS,
  });
  const app = createApp({
    auth,
    submitLimit,
    log,
    telemetry,
    jobs,
    manifest,
    jobEvents,
    idempotency,
    keys,
    redis,
    registry: new WorkerRegistry(redis, keys),
    settings: {
      corsOrigins: config.CORS_ORIGINS,
      callbackPolicy: {
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
        allowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
      },
      webhookSecret: config.WEBHOOK_SECRET,
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      maxVideoBytes: config.MAX_VIDEO_BYTES,
      streamPolicy: { allowPrivate: config.STREAM_ALLOW_PRIVATE, allowedHosts: config.STREAM_ALLOWED_HOSTS },
      maxPixels: config.MAX_PIXELS,
      syncTimeoutMs: config.SYNC_TIMEOUT_MS,
      redisTimeoutMs: config.REDIS_OP_TIMEOUT_MS,
      workerMaxAgeMs: config.WORKER_HEARTBEAT_MS * 3,
    },
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  log.info('gateway listening', { url });

  return {
    server,
    url,
    async close() {
      // Stop accepting, let in-flight requests finish, then drop connections.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(Object.values(events).map((e) => e.close()));
      await Promise.all([...Object.values(queues), webhookQueue].map((q) => q.close()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
