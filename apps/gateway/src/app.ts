import express from 'express';
import type { Logger } from '@argus/config';
import type { Redis } from 'ioredis';
import type { WorkerRegistry } from '@argus/queue';
import type { JobService } from './jobs/job.service';
import { errorHandler, notFound } from './http/error-handler';
import { requestId } from './http/request-id';
import { jobsRouter } from './routes/jobs.route';
import { artifactsRouter } from './routes/artifacts.route';
import { compatRouter } from './routes/compat.route';
import { healthRouter } from './routes/health.route';
import { openapiRouter } from './routes/openapi.route';

export interface GatewayDeps {
  log: Logger;
  jobs: JobService;
  redis: Redis;
  registry: WorkerRegistry;
  settings: {
    maxUploadBytes: number;
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

  app.use(healthRouter({ ...deps, ...deps.settings }));
  app.use(openapiRouter());
  app.use(jobsRouter(deps.jobs, deps.settings));
  app.use(artifactsRouter(deps.jobs));
  app.use(compatRouter(deps.jobs, deps.settings));

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
