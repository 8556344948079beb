import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Buckets for HTTP answers: fast reads up to the synchronous endpoints' 30 s wait. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Buckets for upload sizes: 16 KiB to 16 MiB in powers of four (the default limit is 10 MiB). */
export const UPLOAD_SIZE_BUCKETS = [16, 64, 256, 1024, 4096, 16384].map((kib) => kib * 1024);

/** How a submission was served; the label values of `argus_cache_requests_total`. */
export const CACHE_RESULTS = ['hit', 'miss', 'coalesced'] as const;
export type CacheResult = (typeof CACHE_RESULTS)[number];

/** Job states the gateway reads from BullMQ at scrape time (`argus_queue_jobs{state}`). */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface GatewayMetricsOptions {
  /** Task names: their series start at 0, so `rate()` sees the first submission. */
  tasks?: readonly string[];
}

/**
 * The gateway's own metrics, registered on `registry`. Label values are bounded: `route` is
 * the Express route template (never the raw path), `code` a stable error code, `task` and
 * `queue` come from the job catalog.
 */
export function createGatewayMetrics(registry: Registry, opts: GatewayMetricsOptions = {}) {
  const registers = [registry];
  const metrics = {
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request to the last byte of the answer, by method, route template and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    }),
    jobsSubmitted: new Counter({
      name: 'argus_jobs_submitted_total',
      help: 'Jobs added to a BullMQ queue (cache hits and coalesced uploads add none), by task.',
      labelNames: ['task'] as const,
      registers,
    }),
    cacheRequests: new Counter({
      name: 'argus_cache_requests_total',
      help: 'Accepted submissions by task and how they were served: hit (result cache), miss (new job), coalesced (joined an identical job in flight).',
      labelNames: ['task', 'result'] as const,
      registers,
    }),
    uploadSize: new Histogram({
      name: 'argus_upload_size_bytes',
      help: 'Size of each upload read completely (before image validation).',
      buckets: UPLOAD_SIZE_BUCKETS,
      registers,
    }),
    uploadsRejected: new Counter({
      name: 'argus_uploads_rejected_total',
      help: 'Submissions refused with a 4xx answer, by stable error code.',
      labelNames: ['code'] as const,
      registers,
    }),
    uploadBudgetRefused: new Counter({
      name: 'argus_upload_budget_refused_total',
      help: 'Uploads refused (503 overloaded) because the in-flight upload budget was used up, by how it was known: content-length (before reading) or streaming.',
      labelNames: ['reason'] as const,
      registers,
    }),
    uploadBudgetInFlight: new Gauge({
      name: 'argus_upload_budget_in_flight_bytes',
      help: 'Upload bytes reserved by requests being read or handled (UPLOAD_BUDGET_BYTES bounds it).',
      registers,
    }),
    connectionsRefused: new Counter({
      name: 'argus_http_connections_refused_total',
      help: 'Connections closed at once because HTTP_MAX_CONNECTIONS were open.',
      registers,
    }),
    redisDataLoss: new Counter({
      name: 'argus_redis_data_loss_total',
      help: 'Times this process found the Redis epoch key gone or replaced (Redis lost its data).',
      registers,
    }),
    queueJobs: new Gauge({
      name: 'argus_queue_jobs',
      help: 'Jobs in a BullMQ queue by state, read at scrape time. Absent when Redis did not answer in time.',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    queueOldestWaitingAge: new Gauge({
      name: 'argus_queue_oldest_waiting_age_seconds',
      help: 'Age of the oldest job waiting in a queue (0 when none waits), read at scrape time.',
      labelNames: ['queue'] as const,
      registers,
    }),
    redisUp: new Gauge({
      name: 'argus_metrics_redis_up',
      help: '1 when this scrape read the queues and the worker snapshots from Redis in time, else 0.',
      registers,
    }),
    workerSnapshots: new Gauge({
      name: 'argus_metrics_worker_snapshots',
      help: 'Live worker metric snapshots merged into this scrape.',
      registers,
    }),
  };
  for (const task of opts.tasks ?? []) {
    metrics.jobsSubmitted.inc({ task }, 0);
    for (const result of CACHE_RESULTS) metrics.cacheRequests.inc({ task, result }, 0);
  }
  return metrics;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
