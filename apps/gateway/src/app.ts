import express, { type RequestHandler } from 'express';
import { cors, securityHeaders } from './http/security-headers';
import type { Logger } from '@argus/config';
import {
  type StreamFeeds,
  StreamStore,
  type IdempotencyStore,
  type JobEvents,
  type Redis,
  type RedisKeys,
  type WorkerRegistry,
} from '@argus/queue';
import type { CallbackPolicy } from '@argus/webhooks';

import type { JobService } from './jobs/job.service';
import type { JobWaiters } from './jobs/job-waiters';
import { errorHandler, notFound } from './http/error-handler';
import { requestId } from './http/request-id';
import { noteJsonAnswers, requestLog } from './http/request-log';
import { GatewayTelemetry } from './metrics/gateway-telemetry';
import { jobsRouter } from './routes/jobs.route';
import { jobEventsRouter } from './routes/job-events.route';
import { artifactsRouter } from './routes/artifacts.route';
import { lifecycleRouter } from './routes/lifecycle.route';
import { compatRouter } from './routes/compat.route';
import { healthRouter } from './routes/health.route';
import { oipRouter } from './routes/oip.route';
import { openapiRouter } from './routes/openapi.route';
import { modelsRouter } from './routes/models.route';
import { metricsRouter } from './routes/metrics.route';
import { webuiRouter } from './routes/webui.route';
import { OPEN_AUTH, type Authenticator } from './auth/auth';
import { streamsRouter } from './streams/streams.route';

export interface GatewayDeps {
  log: Logger;
  jobs: JobService;
  jobEvents: JobEvents;
  /** Clients waiting on jobs (long-poll, event streams, `Prefer: wait`). */
  waiters: JobWaiters;
  idempotency: IdempotencyStore;
  keys: RedisKeys;
  redis: Redis;
  registry: WorkerRegistry;
  /** Live-stream event readers (one per stream, shared by its clients; limits from the config). */
  streamFeeds: StreamFeeds;
  /** Metrics and `/metrics`; a bare one (no queues, no fleet) when omitted. */
  telemetry?: GatewayTelemetry;
  /** API keys (auth/auth.ts); without it the app runs open, as chosen by whoever builds it so. */
  auth?: Authenticator;
  /** Per-key rate limit and daily quota on submissions (a step in each submit route). */
  submitLimit?: RequestHandler;
  /** Redeliveries per job (a step in the redeliver route). */
  redeliverLimit?: RequestHandler;
  /** In-flight upload bytes (503 overloaded before a body is read when used up). */
  uploadBudget?: RequestHandler;
  /** Redis data-loss detection; readiness waits for it after a loss. */
  epoch?: { readonly ready: boolean };
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
    maxJpegScans?: number;
    maxJpegScanPixels?: number;
    syncTimeoutMs: number;
    workerMaxAgeMs: number;
    /** Where label files live (OIP model metadata reads class counts there). */
    modelsDir?: string;
    /** Event-stream heartbeat (comment lines); default 15 s. */
    sseHeartbeatMs?: number;
  };
}

/** Builds the HTTP app from its dependencies; `main.ts` owns the connections. */
export function createApp(deps: GatewayDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // One spelling per route: `/V1/jobs` or `/v1/jobs/` is not `/v1/jobs` (routers below too).
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.use(requestId);
  const telemetry = deps.telemetry ?? new GatewayTelemetry({});
  noteJsonAnswers(app);
  app.use(requestLog(deps.log, telemetry));
  app.use(securityHeaders);
  // Off unless CORS_ORIGINS lists origins: then not a step every request walks through.
  if (deps.settings.corsOrigins?.length) app.use(cors(deps.settings.corsOrigins));
  const uploads = { ...deps.settings, observer: telemetry };
  const auth = deps.auth ?? OPEN_AUTH;
  app.use(auth.authenticate);
  const pass: RequestHandler = (_req, _res, next) => next();
  const guards = {
    submitLimit: deps.submitLimit ?? pass,
    redeliverLimit: deps.redeliverLimit ?? pass,
    formKey: auth.formKey,
  };
  // Upload bytes in flight are bounded before any body is read (uploads/upload-budget.ts).
  if (deps.uploadBudget)
    app.post(
      ['/v1/jobs', '/detect', '/api/parse', '/v1/vision/detection', '/v1/vision/custom/:model'],
      deps.uploadBudget,
    );

  // Submissions first: every router a request walks past costs it (the cache-hit path is
  // measured against a bare server). Routes never overlap, so the order changes nothing else.
  app.use(jobsRouter(deps.jobs, uploads, deps.idempotency, guards, deps.waiters));
  app.use(healthRouter({ ...deps, ...deps.settings }));
  app.use(oipRouter({ ...deps, ...deps.settings, manifest: deps.jobs.manifest }));
  app.use(openapiRouter());
  app.use(modelsRouter({ ...deps, ...deps.settings, manifest: deps.jobs.manifest }));
  app.use(metricsRouter(telemetry));
  app.use(jobEventsRouter(deps.jobs, deps.waiters, { heartbeatMs: deps.settings.sseHeartbeatMs }));
  app.use(lifecycleRouter({ ...deps, guards }));
  app.use(artifactsRouter(deps.jobs));
  app.use(compatRouter(deps.jobs, uploads, guards));
  const streams = new StreamStore(deps.redis, deps.keys);
  app.use(
    streamsRouter({
      streams,
      feeds: deps.streamFeeds,
      corsOrigins: deps.settings.corsOrigins,
      resolveModel: (task, model) => deps.jobs.prepare(task, model ? { model } : {}).model.id,
      policy: deps.settings.streamPolicy ?? { allowPrivate: false, allowedHosts: [] },
      callbackPolicy: deps.settings.callbackPolicy,
      webhookSecret: deps.settings.webhookSecret,
      deliveries: deps.jobEvents.log,
      guards,
    }),
  );
  app.use(webuiRouter());

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
