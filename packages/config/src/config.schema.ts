import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';

/** The repository root, found from this file's place (src/ or dist/ of packages/config). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const defaultMirror = (): string | undefined => {
  const sibling = path.resolve(REPO_ROOT, '..', 'shared', 'models');
  return fs.existsSync(sibling) ? sibling : undefined;
};

/** `true/false/1/0/yes/no/on/off`, case-insensitive; anything else is an error, not `true`. */
const envBoolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const v = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected a boolean (true/false), got "${value}"` });
      return z.NEVER;
    });

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const csv = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((value) =>
      value === undefined || value.trim() === ''
        ? fallback
        : value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );

/**
 * Every environment variable Argus reads, with its default. Parsed once at boot by
 * `loadConfig`; nothing else reads `process.env`.
 */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Redis for queues, blobs, results and heartbeats. */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
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

  MODELS_DIR: z.string().default(path.join(REPO_ROOT, 'models')),
  /** A folder holding the model files (checked by sha256); `../shared/models` when present. */
  MODEL_MIRROR: z
    .string()
    .optional()
    .default(defaultMirror() ?? ''),
  /** Model ids a worker loads; empty = the default model of every task it serves plus all installed. */
  WORKER_MODELS: csv([]),
  /** Tasks (queues) a worker serves. */
  WORKER_TASKS: csv(['detect', 'parse']),
  /** Jobs a worker process holds at once; decoding overlaps inference. */
  WORKER_CONCURRENCY: int(4, 1, 256),
  /** BullMQ lock duration: a job whose lock is not renewed within it counts as stalled. */
  LOCK_DURATION_MS: int(30_000, 100),
  STALLED_INTERVAL_MS: int(30_000, 100),
  /** onnxruntime intra-op threads per session; 0 = one per core. */
  INTRA_OP_THREADS: int(0, 0, 256),
  /** How often a worker says it is alive (readiness of the gateway depends on it). */
  WORKER_HEARTBEAT_MS: int(5_000, 100),

  /** `npm start`: how many worker processes to run beside the gateway. */
  WORKERS: int(1, 0, 64),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Print the startup banner and request logs as JSON lines. */
  LOG_JSON: envBoolean(false),
});

export type Env = z.infer<typeof EnvSchema>;
