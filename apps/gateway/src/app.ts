import express, { type RequestHandler } from 'express';
import { cors, securityHeaders } from './http/security-headers';
import type { Logger } from '@argus/config';
import type { Redis } from 'ioredis';
import { StreamStore, type JobEvents, type RedisKeys, type WorkerRegistry } from '@argus/queue';
import type { Manifest } from '@argus/models';
import type { CallbackPolicy } from '@argus/webhooks';
import type { IdempotencyStore } from './jobs/idempotency';
import type { JobService } from './jobs/job.service';
import { errorHandler, notFound } from './http/error-handler';
import { requestId } from './http/request-id';
import { requestLog } from './http/request-log';
import { GatewayTelemetry } from './metrics/gateway-telemetry';
import { jobsRouter } from './routes/jobs.route';
import { artifactsRouter } from './routes/artifacts.route';
import { lifecycleRouter } from './routes/lifecycle.route';
import { compatRouter } from './routes/compat.route';
import { healthRouter } from './routes/health.route';
import { openapiRouter } from './routes/openapi.route';
import { metricsRouter } from './routes/metrics.route';
import { webuiRouter } from './routes/webui.route';
import { streamsRouter } from './streams/streams.route';

export interface GatewayDeps {
  log: Logger;
  jobs: JobService;
  /** The model manifest: live streams check their model id against it. */
  manifest?: Manifest;
  jobEvents: JobEvents;
  idempotency: IdempotencyStore;
  keys: RedisKeys;
  redis: Redis;
  registry: WorkerRegistry;
  /** Metrics and `/metrics`; a bare one (no queues, no fleet) when omitted. */
  telemetry?: GatewayTelemetry;
  /** Bearer API keys (open when none are configured). */
  auth?: RequestHandler;
  /** Per-key rate limit and daily quota on submissions. */
  submitLimit?: RequestHandler;
  settings: {
    /** CORS_ORIGINS; empty = CORS off. */
    corsOrigins?: readonly string[];
    callbackPolicy: CallbackPolicy;
    webhookSecret?: string;
    maxUploadBytes: number;
    /** Largest video upload on `POST /v1/jobs`. */
    maxVideoBytes?: number;
    /** STREAM_ALLOW_PRIVATE / STREAM_ALLOWED_HOSTS: where stream URLs may point. */
    streamPolicy?: CallbackPolicy;
    maxPixels: number;
    syncTimeoutMs: number;
    redisTimeoutMs: number;
    workerMaxAgeMs: number;
  };
}

/** Builds the HTTP app from its dependencies; `main.ts` owns the connections. */
export function createApp(deps: GatewayDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestId);
  const telemetry = deps.telemetry ?? new GatewayTelemetry({ redisTimeoutMs: deps.settings.redisTimeoutMs });
  app.use(requestLog(deps.log, telemetry));
  app.use(securityHeaders);
  app.use(cors(deps.settings.corsOrigins ?? []));
  const uploads = { ...deps.settings, observer: telemetry };
  if (deps.auth) app.use(deps.auth);
  // Limits apply to submissions (before the upload is read), not to polling.
  if (deps.submitLimit)
    app.post(['/v1/jobs', '/detect', '/api/parse', '/v1/vision/detection', '/v1/streams'], deps.submitLimit);

  app.use(healthRouter({ ...deps, ...deps.settings }));
  app.use(openapiRouter());
  app.use(metricsRouter(telemetry));
  app.use(jobsRouter(deps.jobs, uploads, deps.idempotency));
  app.use(lifecycleRouter({ ...deps, redisTimeoutMs: deps.settings.redisTimeoutMs }));
  app.use(artifactsRouter(deps.jobs));
  app.use(compatRouter(deps.jobs, uploads));
  app.use(
    streamsRouter({
      streams: new StreamStore(deps.redis, deps.keys),
      redis: deps.redis,
      manifest: deps.manifest,
      policy: deps.settings.streamPolicy ?? { allowPrivate: false, allowedHosts: [] },
      redisTimeoutMs: deps.settings.redisTimeoutMs,
    }),
  );
  app.use(webuiRouter());

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
