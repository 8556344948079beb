import os from 'node:os';
import crypto from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, Logger } from '@argus/config';
import { JOB_CATALOG, TaskSchema, type JobData, type JobReturn, type Task } from '@argus/contracts';
import { manifestPathFor, readManifest, type Manifest } from '@argus/models';
import { BlobStore, RedisKeys, WorkerRegistry, bullPrefix, createRedis } from '@argus/queue';
import { InferenceClient } from './inference/inference-client';
import { detectProcessor } from './processors/detect.processor';
import { parseProcessor } from './processors/parse.processor';
import type { ProcessorDeps } from './processors/processor-deps';

type Processor = (job: Job<JobData, JobReturn>, deps: ProcessorDeps) => Promise<JobReturn>;

/** Startup fails loudly when a served task has no processor. */
const PROCESSORS: Record<Task, Processor> = { detect: detectProcessor, parse: parseProcessor };

export interface WorkerApp {
  id: string;
  close(): Promise<void>;
}

/**
 * Which models this worker loads: WORKER_MODELS, else every model of the tasks it serves.
 * Parsing finds people with the default detector, so a parse worker loads that too.
 */
export function selectModels(
  manifest: Manifest,
  tasks: readonly Task[],
  requested: readonly string[],
): string[] {
  const ids = requested.length
    ? [...requested]
    : manifest.models.filter((m) => tasks.includes(m.task)).map((m) => m.id);
  const detector = manifest.models.find((m) => m.task === 'detect' && m.default);
  if (tasks.includes('parse') && detector && !ids.includes(detector.id)) ids.push(detector.id);
  return ids;
}

export async function startWorker(config: Config, log: Logger): Promise<WorkerApp> {
  const id = `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const tasks = config.WORKER_TASKS.map((t) => {
    const parsed = TaskSchema.safeParse(t);
    if (!parsed.success)
      throw new Error(`WORKER_TASKS: unknown task "${t}" (known: ${TaskSchema.options.join(', ')})`);
    return parsed.data;
  });
  if (tasks.length === 0) throw new Error('WORKER_TASKS is empty: name at least one task');

  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const modelIds = selectModels(manifest, tasks, config.WORKER_MODELS);
  const inference = await InferenceClient.start(
    {
      modelsDir: config.MODELS_DIR,
      manifestPath: manifestPathFor(config.MODELS_DIR),
      modelIds,
      intraOpThreads: config.INTRA_OP_THREADS,
      maxPixels: config.MAX_PIXELS,
    },
    log,
  );

  const onRedisError = (err: Error) => log.warn('redis connection error', { err: err.message });
  const connection: Redis = createRedis(config.REDIS_URL, {
    role: 'worker',
    name: `argus-worker-${id}`,
    onError: onRedisError,
  });
  const keys = new RedisKeys(config.KEY_PREFIX);
  const blobs = new BlobStore(connection);
  const registry = new WorkerRegistry(connection, keys);
  const deps: ProcessorDeps = { blobs, keys, inference, resultTtlSeconds: config.RESULT_TTL_SECONDS, log };

  const workers = tasks.map((task) => {
    const processor = PROCESSORS[task];
    const worker = new Worker<JobData, JobReturn, Task>(
      JOB_CATALOG[task].queueName,
      (job) => processor(job, deps),
      {
        connection,
        prefix: bullPrefix(config.KEY_PREFIX),
        concurrency: config.WORKER_CONCURRENCY,
        lockDuration: config.LOCK_DURATION_MS,
        stalledInterval: config.STALLED_INTERVAL_MS,
        maxStalledCount: 2,
        autorun: true,
      },
    );
    worker.on('error', (err) => log.warn('worker error', { task, err: err.message }));
    worker.on('stalled', (jobId) => log.warn('job stalled; it will be retried', { task, jobId }));
    worker.on('failed', (job, err) => {
      // Once a job is out of attempts its upload is no longer needed.
      const final =
        job && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1));
      if (job && final) void blobs.delete(job.data.blobKey).catch(() => undefined);
    });
    return worker;
  });

  const info = {
    id,
    pid: process.pid,
    host: os.hostname(),
    tasks,
    models: inference.loadedModels,
    startedAt: Date.now(),
  };
  const beat = () =>
    registry
      .heartbeat(info, config.WORKER_HEARTBEAT_MS * 3)
      .catch((err: Error) => log.warn('heartbeat failed', { err: err.message }));
  await beat();
  const heartbeat = setInterval(() => void beat(), config.WORKER_HEARTBEAT_MS);
  log.info('worker ready', {
    workerId: id,
    tasks,
    models: inference.loadedModels,
    concurrency: config.WORKER_CONCURRENCY,
  });

  return {
    id,
    async close() {
      clearInterval(heartbeat);
      // close() waits for active jobs to finish, so nothing is cut off mid-way.
      await Promise.all(workers.map((w) => w.close()));
      await registry.remove(id).catch(() => undefined);
      await inference.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
