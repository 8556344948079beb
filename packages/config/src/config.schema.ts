import path from 'node:path';
import { z } from 'zod';
import {
  REPO_ROOT,
  csv,
  defaultMirror,
  envBoolean,
  int,
  intCsv,
  modelOverrides,
  modelsMissing,
  redisUrl,
  urlMap,
} from './env-parsers';

export { REPO_ROOT, type ModelOverride } from './env-parsers';

/**
 * Every environment variable Argus reads, with its default. Parsed once at boot by
 * `loadConfig`; nothing else reads `process.env`.
 */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Redis for queues, blobs, results and heartbeats. */
  REDIS_URL: redisUrl().default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key Argus writes (BullMQ queues included). Tests use a random one. */
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .default('argus'),
  /** How long one Redis command may take on the request path before the gateway answers 503. */
  REDIS_OP_TIMEOUT_MS: int(2000, 50),

  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  /** Largest accepted upload. Default 10 MiB. */
  MAX_UPLOAD_BYTES: int(10 * 1024 * 1024, 1),
  /** Largest accepted image area, read from the header before decoding. Default 40 MP. */
  MAX_PIXELS: int(40_000_000, 1),
  /** How long results (the result cache) and finished job records live. Default 1 day. */
  RESULT_TTL_SECONDS: int(86_400, 1),
  /** Safety TTL of stored upload bytes; they are deleted as soon as their job ends. */
  BLOB_TTL_SECONDS: int(21_600, 1),
  /** How long `POST /detect` and `POST /api/parse` wait for their job before 504. */
  SYNC_TIMEOUT_MS: int(30_000, 1),

  /** Results without polling (`?wait=N`, `/v1/jobs/:id/events`, `Prefer: wait`): the most clients one gateway holds waiting; past it 503 + Retry-After. */
  MAX_WAITERS: int(10_000, 1),
  /** Comment heartbeats on event streams, so idle proxies keep them open. */
  SSE_HEARTBEAT_MS: int(15_000, 10),

  MODELS_DIR: z.string().default(path.join(REPO_ROOT, 'models')),
  /** A folder holding the model files (checked by sha256); `../shared/models` when present. */
  MODEL_MIRROR: z
    .string()
    .optional()
    .default(defaultMirror() ?? ''),
  /**
   * Model sources (docs/models.md). `MODEL_URL_MAP`: `<public prefix>=<replacement>,…`; each
   * public source URL that starts with a prefix is fetched from the replacement instead (a
   * local mirror server, an air-gapped site, tests).
   */
  MODEL_URL_MAP: urlMap(),
  /**
   * Set by `npm start` for the gateway: the models it could not obtain, as JSON
   * `{"<model id>": "<why>"}`. A job naming one fails at submit with 400 `model_unavailable`.
   */
  MODELS_MISSING: modelsMissing(),
  /**
   * `npm start` only: when REDIS_URL is unset and nothing answers at 127.0.0.1:REDIS_LOCAL_PORT,
   * run a local redis-server there (data in .argus/redis, AOF on, loopback only).
   */
  REDIS_AUTOSTART: envBoolean(true),
  REDIS_LOCAL_PORT: int(6379, 1, 65_535),
  /** Where that local Redis keeps its data (relative to the repository root). */
  REDIS_LOCAL_DIR: z.string().default('.argus/redis'),
  /** Model ids a worker loads; empty = the default model of every task it serves plus all installed. */
  WORKER_MODELS: csv([]),
  /** Tasks (queues) a worker serves. */
  WORKER_TASKS: csv(['detect', 'parse', 'segment']),
  /** Jobs a worker process holds at once; decoding overlaps inference. */
  WORKER_CONCURRENCY: int(4, 1, 256),
  /** BullMQ lock duration: a job whose lock is not renewed within it counts as stalled. */
  LOCK_DURATION_MS: int(30_000, 100),
  STALLED_INTERVAL_MS: int(30_000, 100),
  /** onnxruntime intra-op threads per session; 0 = cores ÷ the model's instances (at least 1). */
  INTRA_OP_THREADS: int(0, 0, 256),
  /**
   * Dynamic batching (docs/batching.md): the most images one model run takes. Models with a
   * fixed batch of 1 (yolov8n-int8) always run 1.
   */
  BATCH_MAX_SIZE: int(4, 1, 64),
  /**
   * How long the oldest input of a partial batch may wait for more before the batch runs, in
   * ms. 0: batches hold what queued while the instances were busy, and an idle model never waits.
   */
  BATCH_MAX_DELAY_MS: int(0, 0, 10_000),
  /** Batch sizes run as soon as they can be formed, e.g. `2,4` (empty: only BATCH_MAX_SIZE). */
  BATCH_PREFERRED_SIZES: intCsv(1, 64),
  /**
   * Session instances per model, each on its own thread (runs of one model in parallel). Two
   * single-threaded instances beat one two-threaded one on 2 cores (bench/RESULTS.md).
   */
  MODEL_INSTANCES: int(2, 1, 16),
  /**
   * Per-model overrides of the four knobs above and of the threads:
   * `yolov8n:maxBatchSize=8,maxQueueDelayMs=5;yolov8n-int8:instances=2,intraOpThreads=1`.
   */
  MODEL_OVERRIDES: modelOverrides(),
  /** How often a worker says it is alive (readiness of the gateway depends on it). */
  WORKER_HEARTBEAT_MS: int(5_000, 100),
  /**
   * How often a worker writes its metrics snapshot to Redis for the gateway's `/metrics`; the
   * snapshot lives three intervals, so a dead worker's series vanish within that.
   */
  METRICS_PUSH_INTERVAL_MS: int(5_000, 100),

  /** HMAC key of webhook signatures. Without it, submissions with a callbackUrl are refused. */
  WEBHOOK_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
  /** One delivery attempt's deadline. */
  WEBHOOK_TIMEOUT_MS: int(10_000, 100),
  /** Attempts per delivery; with the default backoff, 8 attempts span about an hour. */
  WEBHOOK_MAX_ATTEMPTS: int(8, 1, 50),
  /** First retry delay; doubles each retry, ±20 % jitter; a longer Retry-After wins. */
  WEBHOOK_BACKOFF_MS: int(30_000, 1),
  /** How much of a receiver's answer is read and kept. */
  WEBHOOK_MAX_RESPONSE_BYTES: int(64 * 1024, 1),
  /** Allow callbacks to private, loopback and link-local addresses (development only). */
  WEBHOOK_ALLOW_PRIVATE: envBoolean(false),
  /** Hosts allowed even when they resolve to private addresses (e.g. an internal receiver). */
  WEBHOOK_ALLOWED_HOSTS: csv([]),
  /** Deliveries a worker process sends at once (they wait on the network, not the CPU). */
  WEBHOOK_CONCURRENCY: int(16, 0, 1000),
  /** How long an Idempotency-Key maps to its job. */
  IDEMPOTENCY_TTL_SECONDS: int(86_400, 1),
  /** How often a worker removes finished jobs older than RESULT_TTL_SECONDS from BullMQ. */
  JANITOR_INTERVAL_MS: int(60_000, 100),

  /** API keys accepted besides the Redis key store (`npm run keys`); see AUTH_MODE for running without keys. */
  API_KEYS: csv([]),
  /** Submissions per minute per API key (token bucket shared by all gateways); 0 = unlimited. */
  RATE_LIMIT_PER_MINUTE: int(120, 0),
  /** Submissions a key may make at once before the per-minute rate applies. */
  RATE_LIMIT_BURST: int(20, 1),
  /** Jobs per API key per UTC day; 0 = unlimited. */
  DAILY_JOB_QUOTA: int(10_000, 0),
  /** Waiting + prioritized jobs per queue above which new work is refused (503 overloaded); 0 = unbounded. */
  MAX_QUEUE_DEPTH: int(1_000, 0),
  /** Refuse new work while the oldest waiting job is older than this (ms); 0 = no bound. */
  MAX_QUEUE_WAIT_MS: int(0, 0),
  /**
   * Security (docs/security.md). `auto`: keys are required once any exist, and in production
   * (NODE_ENV=production) from the start; a non-production gateway without keys runs open
   * with a warning. `keys`: always required. `open`: run open without keys on purpose (it
   * still closes for good as soon as a key is created).
   */
  AUTH_MODE: z.enum(['auto', 'keys', 'open']).default('auto'),
  /** API keys with the admin role (see every job), besides admin keys in the key store. */
  API_ADMIN_KEYS: csv([]),
  /** `/metrics` answers only requests with a valid API key (Prometheus: `authorization`). */
  METRICS_REQUIRE_KEY: envBoolean(false),
  /** Put host names and process ids in worker ids (and so in `/metrics` labels). */
  METRICS_HOST_LABELS: envBoolean(false),
  /** How long an unfinished Idempotency-Key claim blocks its key (the gateway may die mid-request). */
  IDEMPOTENCY_LEASE_SECONDS: int(60, 1),
  /** Redeliveries per job per minute (token bucket), and how many may come at once. */
  WEBHOOK_REDELIVER_PER_MINUTE: int(6, 1),
  WEBHOOK_REDELIVER_BURST: int(3, 1),
  /** Entries kept per job in the delivery log and in the attempt log (the newest; the rest are counted). */
  WEBHOOK_LOG_MAX_ENTRIES: int(100, 1, 10_000),
  /** Origins allowed to call the API from a browser (CORS); empty = CORS off. `*` allows any. */
  CORS_ORIGINS: csv([]),

  // --- Abuse bounds (docs/reliability.md): every work and memory limit, in one place. ---
  /**
   * Upload bytes a gateway holds in flight at once; a request that would exceed it is refused
   * (503 + Retry-After) before its body is read. 0 = a quarter of the memory limit (cgroup or
   * machine), at most 512 MiB: a 512 MiB gateway holds 128 MiB of uploads.
   */
  UPLOAD_BUDGET_BYTES: int(0, 0),
  /** Progressive JPEGs with more scans than this are refused (422 image_too_complex). */
  MAX_JPEG_SCANS: int(64, 1),
  /**
   * Decode cost of a JPEG as scans × pixels; above it 422 image_too_complex. The default
   * (400 M) admits a 40 MP photo with libjpeg's 10 standard progressive scans.
   */
  MAX_JPEG_SCAN_PIXELS: int(400_000_000, 1),
  /**
   * Per-job deadline on a worker (decode, inference, rendering); past it the job fails with
   * `timeout` and is not retried. Decoding is aborted (sharp's timeout).
   */
  JOB_DEADLINE_MS: int(120_000, 100),
  /**
   * Decoded pixels a worker process works on at once; a job waits until its image fits. A
   * single image larger than the budget runs alone. 0 = MAX_PIXELS (one largest image).
   */
  WORKER_PIXEL_BUDGET: int(0, 0),
  /** Largest rendered image (overlay.png, the base64 of /api/parse), in pixels; larger ones are downscaled. */
  MAX_RENDER_PIXELS: int(4_000_000, 10_000),
  /** Worker shutdown: how long to finish held jobs before handing them back to the queue (below k8s terminationGracePeriodSeconds). */
  SHUTDOWN_GRACE_MS: int(25_000, 0),
  /**
   * All request headers within this. Tighter than nginx's client_header_timeout (60s): real
   * clients send headers in one packet, and a socket that sends none holds a slot of the cap.
   */
  HTTP_HEADERS_TIMEOUT_MS: int(20_000, 1000),
  /** Longest silence on a socket while a request is read or sent (nginx client_body_timeout 60s). */
  HTTP_IDLE_TIMEOUT_MS: int(60_000, 1000),
  /** Whole request, headers and body (a 10 MiB upload at 1 Mbit/s takes ~85 s). */
  HTTP_REQUEST_TIMEOUT_MS: int(120_000, 1000),
  /** Idle keep-alive connections are closed after this (nginx keepalive_timeout 75s). */
  HTTP_KEEPALIVE_TIMEOUT_MS: int(75_000, 1000),
  /**
   * Open connections per gateway; more are closed at once and counted
   * (argus_http_connections_refused_total). Far below the file-descriptor limit, so Redis
   * connections and /healthz on a fresh socket always have descriptors left.
   */
  HTTP_MAX_CONNECTIONS: int(4096, 1),
  /** How often gateways and workers check the Redis epoch key (data loss detection). */
  REDIS_EPOCH_CHECK_MS: int(5_000, 100),
  /** Video jobs (issue 19). Largest video upload; images keep MAX_UPLOAD_BYTES. */
  MAX_VIDEO_BYTES: int(200 * 1024 * 1024, 1),
  /** Longest video accepted, checked with ffprobe before any frame is decoded. */
  MAX_VIDEO_SECONDS: int(3_600, 1),
  /** Deadline of one video job attempt (probe, decode, render); each ffmpeg gets what is left, then is killed. */
  VIDEO_TIMEOUT_MS: int(30 * 60_000, 1_000),
  /** Frames per stored chunk: a worker killed mid-video resumes after the last whole chunk. */
  VIDEO_CHUNK_FRAMES: int(16, 1, 1_000),
  /** Debian's ffmpeg and ffprobe (apt install ffmpeg); a path or a name on PATH. */
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  /** Live streams: let stream URLs reach private and loopback addresses (development, tests). */
  STREAM_ALLOW_PRIVATE: envBoolean(false),
  /** Stream hosts allowed even when they resolve to private addresses (an internal camera). */
  STREAM_ALLOWED_HOSTS: csv([]),
  /** A worker's hold on a stream; renewed every third of it. Another worker takes over after it lapses. */
  STREAM_LEASE_MS: int(6_000, 500),
  /** Streams one worker process holds at most. */
  STREAMS_PER_WORKER: int(4, 0, 100),
  /** Processed-frame events kept per stream (a capped Redis stream). */
  STREAM_EVENTS_MAX: int(1_000, 10),
  /** Streams one gateway follows at once (one Redis reader each, shared by its SSE and WebSocket clients); past it 503 + Retry-After. */
  STREAM_READERS_MAX: int(64, 1),
  /** Clients (SSE and WebSocket) one gateway holds on stream events; past it 503 + Retry-After. */
  STREAM_CLIENTS_MAX: int(1_000, 1),

  /** `npm start`: how many worker processes to run beside the gateway. */
  WORKERS: int(1, 0, 64),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Print the startup banner and request logs as JSON lines. */
  LOG_JSON: envBoolean(false),
});

export type Env = z.infer<typeof EnvSchema>;
