import http from 'node:http';
import { QueueEvents } from 'bullmq';
import { memoryLimitBytes, type Config, type Logger } from '@argus/config';
import { TASKS, type Task } from '@argus/contracts';
import { manifestPathFor, readManifest } from '@argus/manifest';
import {
  ApiKeyStore,
  bullPrefix,
  CancelFlags,
  createQueue,
  createRedis,
  createWebhookQueue,
  IdempotencyStore,
  JobEvents,
  JobRecordStore,
  MetricsSnapshotStore,
  RateLimits,
  RedisEpoch,
  RedisKeys,
  ResultCache,
  UploadStore,
  blockingConnection,
  StreamFeeds,
  StreamStore,
  waitForReady,
  WorkerRegistry,
  type Redis,
} from '@argus/queue';
import type { MetricsSnapshot } from '@argus/metrics';
import { createApp } from './app';
import { GatewayTelemetry } from './metrics/gateway-telemetry';
import { JobService } from './jobs/job.service';
import { JobWaiters } from './jobs/job-waiters';
import { Backpressure } from './jobs/backpressure';
import { apiKeyAuth } from './auth/auth';
import { AuthMode } from './auth/auth-mode';
import { redeliverRateLimit, submitRateLimit } from './http/rate-limit';
import { createBoundedServer } from './http/server-limits';
import { attachWebSocketUpgrades } from './http/websocket-upgrade';
import { UploadBudget, defaultUploadBudget, uploadBudget } from './uploads/upload-budget';

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
    // Every command on the request path has this deadline; a miss answers 503 (error-handler.ts).
    commandTimeoutMs: config.REDIS_OP_TIMEOUT_MS,
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
  const webhookQueue = createWebhookQueue(redis, { ...settings, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS });
  const jobEvents = new JobEvents(
    redis,
    keys,
    webhookQueue,
    config.RESULT_TTL_SECONDS,
    config.WEBHOOK_LOG_MAX_ENTRIES,
  );
  const idempotency = new IdempotencyStore(redis, keys, {
    ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
  });
  const telemetry = new GatewayTelemetry({
    queues,
    snapshots: new MetricsSnapshotStore<MetricsSnapshot>(redis, keys),
    defaultMetrics: true,
  });
  const store = new ApiKeyStore(redis, keys);
  const mode = new AuthMode({
    store,
    envKeyCount: config.API_KEYS.length + config.API_ADMIN_KEYS.length,
    setting: config.AUTH_MODE,
    production: config.NODE_ENV === 'production',
    log,
  });
  const epoch = new RedisEpoch(redis, {
    key: keys.epoch(),
    checkIntervalMs: config.REDIS_EPOCH_CHECK_MS,
    onLoss: ({ previous, current, reason }) => {
      telemetry.redisDataLost();
      log.error('Redis lost its data: jobs accepted before now are gone; not ready until re-established', {
        reason,
        previousEpoch: previous.id,
        previousSince: new Date(previous.createdAt).toISOString(),
        epoch: current.id,
      });
    },
    // Nothing to re-create for auth: keys are looked up per request, and a protected API
    // stays protected with an empty key store (auth/auth-mode.ts).
  });
  await epoch.establish();
  epoch.start();
  const jobs = new JobService({
    queues,
    events,
    jobEvents,
    backpressure: new Backpressure(queues, {
      maxDepth: config.MAX_QUEUE_DEPTH,
      maxWaitMs: config.MAX_QUEUE_WAIT_MS,
    }),
    uploads: new UploadStore(redis, keys, config.BLOB_TTL_SECONDS),
    results: new ResultCache(redis, keys),
    records: new JobRecordStore(redis, keys, config.RESULT_TTL_SECONDS),
    cancels: new CancelFlags(redis, keys, config.RESULT_TTL_SECONDS),
    manifest,
    missingModels: config.MODELS_MISSING,
    epoch,
    settings: {
      resultTtlSeconds: config.RESULT_TTL_SECONDS,
    },
  });
  const waiters = new JobWaiters(events, { maxWaiters: config.MAX_WAITERS });
  await mode.start();
  const auth = apiKeyAuth({
    store,
    mode,
    envKeys: config.API_KEYS,
    envAdminKeys: config.API_ADMIN_KEYS,
    metricsPublic: !config.METRICS_REQUIRE_KEY,
  });
  const limits = new RateLimits(redis, keys);
  const submitLimit = submitRateLimit(limits, {
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
    burst: config.RATE_LIMIT_BURST,
    dailyQuota: config.DAILY_JOB_QUOTA,
  });
  const redeliverLimit = redeliverRateLimit(limits, {
    perMinute: config.WEBHOOK_REDELIVER_PER_MINUTE,
    burst: config.WEBHOOK_REDELIVER_BURST,
  });
  const budget = new UploadBudget(config.UPLOAD_BUDGET_BYTES || defaultUploadBudget(memoryLimitBytes()));
  telemetry.watchUploadBudget(() => budget.usedBytes);
  log.info('upload budget', { bytes: budget.capacityBytes });
  if (config.MAX_VIDEO_BYTES > budget.capacityBytes)
    log.warn('MAX_VIDEO_BYTES is larger than the upload budget: larger videos are refused (413)', {
      maxVideoBytes: config.MAX_VIDEO_BYTES,
      uploadBudgetBytes: budget.capacityBytes,
    });
  // Blocking reads need their own connections; the offline queue lets a reader's first read
  // wait for its connection instead of failing fast as the request path's commands do.
  const streamFeeds = new StreamFeeds(new StreamStore(redis, keys), () => blockingConnection(redis), {
    maxReaders: config.STREAM_READERS_MAX,
    maxClients: config.STREAM_CLIENTS_MAX,
  });
  const app = createApp({
    streamFeeds,
    auth,
    submitLimit,
    redeliverLimit,
    // POST /v1/jobs also takes videos: its uploads may reserve up to MAX_VIDEO_BYTES.
    uploadBudget: uploadBudget(
      budget,
      (req) =>
        req.path === '/v1/jobs'
          ? Math.max(config.MAX_UPLOAD_BYTES, config.MAX_VIDEO_BYTES)
          : config.MAX_UPLOAD_BYTES,
      telemetry,
    ),
    epoch,
    log,
    telemetry,
    jobs,
    jobEvents,
    waiters,
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
      maxJpegScans: config.MAX_JPEG_SCANS,
      maxJpegScanPixels: config.MAX_JPEG_SCAN_PIXELS,
      syncTimeoutMs: config.SYNC_TIMEOUT_MS,
      workerMaxAgeMs: config.WORKER_HEARTBEAT_MS * 3,
      modelsDir: config.MODELS_DIR,
      sseHeartbeatMs: config.SSE_HEARTBEAT_MS,
    },
  });

  const server = createBoundedServer(
    app,
    {
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: config.HTTP_IDLE_TIMEOUT_MS,
      syncTimeoutMs: config.SYNC_TIMEOUT_MS,
      requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: config.HTTP_KEEPALIVE_TIMEOUT_MS,
      maxConnections: config.HTTP_MAX_CONNECTIONS,
    },
    () => telemetry.connectionRefused(),
  );
  const websockets = attachWebSocketUpgrades(server, app);
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
      // Stop accepting, let in-flight requests finish, then drop connections. Clients
      // waiting on jobs are answered now (long-polls with the current view, event streams
      // end and their clients reconnect elsewhere with Last-Event-ID), never left hanging.
      epoch.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      waiters.close();
      streamFeeds.close();
      websockets.close();
      // Keep-alive sockets stay open up to HTTP_KEEPALIVE_TIMEOUT_MS (75 s) once their
      // request is answered, and connections freed by the waiters' answers go idle after
      // close() looked for idle ones: close each as soon as it goes idle.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      await closed;
      clearInterval(idleSweep);
      await Promise.all(Object.values(events).map((e) => e.close()));
      await Promise.all([...Object.values(queues), webhookQueue].map((q) => q.close()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
