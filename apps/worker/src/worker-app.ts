import os from 'node:os';
import crypto from 'node:crypto';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Config, Logger } from '@argus/config';
import { JOB_CATALOG, TASKS, TaskSchema, type JobData, type JobReturn, type Task } from '@argus/contracts';
import { manifestPathFor, readManifest, type Manifest } from '@argus/models';
import {
  CancelFlags,
  JobEvents,
  MetricsSnapshotStore,
  ResultCache,
  UploadStore,
  RedisEpoch,
  RedisKeys,
  StreamStore,
  StreamWebhooks,
  VideoChunkStore,
  WorkerRegistry,
  bullPrefix,
  createQueue,
  createRedis,
  createWebhookQueue,
  type Redis,
} from '@argus/queue';
import type { MetricsSnapshot } from '@argus/metrics';
import { InferencePool } from './inference/inference-pool';
import { BoundedInference } from './inference/bounded-inference';
import { PixelBudget } from './inference/pixel-budget';
import { drainWithGrace, type HeldJobs } from './lifecycle/bounded-shutdown';
import { concurrencyToFillBatches, resolveServing } from './batching/model-settings';
import { EventLoopMonitor } from './health/event-loop-monitor';
import { detectProcessor } from './processors/detect.processor';
import { parseProcessor } from './processors/parse.processor';
import { segmentProcessor } from './processors/segment.processor';
import { startDeliveryWorker } from './lifecycle/delivery-worker';
import { startJanitor } from './lifecycle/janitor';
import { failedSnapshot } from './lifecycle/job-snapshot';
import type { ProcessorDeps } from './processors/processor-deps';
import { WorkerTelemetry } from './metrics/worker-telemetry';
import { killAllFfmpeg } from './video/ffmpeg-process';
import { StreamSupervisor } from './streams/stream-supervisor';

type Processor = (job: Job<JobData, JobReturn>, deps: ProcessorDeps) => Promise<JobReturn>;

/** Startup fails loudly when a served task has no processor. */
const PROCESSORS: Record<Task, Processor> = {
  detect: detectProcessor,
  parse: parseProcessor,
  segment: segmentProcessor,
};

export interface WorkerApp {
  id: string;
  close(): Promise<void>;
  /** Jobs the last close() handed back to their queue after SHUTDOWN_GRACE_MS. */
  readonly handedBack: number;
}

/**
 * Which models this worker loads: WORKER_MODELS, else every model of the tasks it serves.
 * Parsing finds people with the default detector, so a parse worker loads that too, and a
 * fused parse model the BodyPix model it fuses with. Models that `npm start` could not
 * obtain (MODELS_MISSING) are left out.
 */
export function selectModels(
  manifest: Manifest,
  tasks: readonly Task[],
  requested: readonly string[],
  missing: Readonly<Record<string, string>> = {},
): string[] {
  const ids = requested.length
    ? [...requested]
    : manifest.models.filter((m) => tasks.includes(m.task) && !(m.id in missing)).map((m) => m.id);
  const detector = manifest.models.find((m) => m.task === 'detect' && m.default && !(m.id in missing));
  if (tasks.includes('parse') && detector && !ids.includes(detector.id)) ids.push(detector.id);
  // A fused parse model runs the BodyPix model it names beside its own segmenter.
  for (const id of [...ids]) {
    const parts = manifest.models.find((m) => m.id === id)?.fuse?.parts;
    if (parts && !ids.includes(parts)) ids.push(parts);
  }
  return ids;
}

export async function startWorker(config: Config, log: Logger): Promise<WorkerApp> {
  // The id is a label of every worker series in /metrics: host names and pids only on request.
  const id = config.METRICS_HOST_LABELS
    ? `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`
    : `worker-${crypto.randomBytes(4).toString('hex')}`;
  const tasks = config.WORKER_TASKS.map((t) => {
    const parsed = TaskSchema.safeParse(t);
    if (!parsed.success)
      throw new Error(`WORKER_TASKS: unknown task "${t}" (known: ${TaskSchema.options.join(', ')})`);
    return parsed.data;
  });
  if (tasks.length === 0) throw new Error('WORKER_TASKS is empty: name at least one task');

  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const modelIds = selectModels(manifest, tasks, config.WORKER_MODELS, config.MODELS_MISSING);
  const serving = resolveServing(manifest, modelIds, config, os.availableParallelism());
  const fillBatches = concurrencyToFillBatches(serving);
  if (config.WORKER_CONCURRENCY < fillBatches) {
    log.warn('WORKER_CONCURRENCY is below a model’s maxBatchSize or instances: raise it', {
      concurrency: config.WORKER_CONCURRENCY,
      needed: fillBatches,
    });
  }
  const loadStarted = performance.now();
  const inference = await InferencePool.start(
    {
      modelsDir: config.MODELS_DIR,
      manifestPath: manifestPathFor(config.MODELS_DIR),
      serving,
      maxPixels: config.MAX_PIXELS,
      decodeTimeoutSeconds: Math.ceil(config.JOB_DEADLINE_MS / 1000),
      maxRenderPixels: config.MAX_RENDER_PIXELS,
    },
    manifest,
    modelIds,
    tasks,
    log,
    // An explicit WORKER_MODELS list is loaded as asked; by default the models no default
    // model needs get their sessions on first use (issue 13: worker idle RSS).
    { onDemand: config.WORKER_MODELS.length === 0 },
  );
  const bounded = new BoundedInference({
    deadlineMs: config.JOB_DEADLINE_MS,
    budget: new PixelBudget(config.WORKER_PIXEL_BUDGET || config.MAX_PIXELS),
    inference,
  });
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const onRedisError = (err: Error) => log.warn('redis connection error', { err: err.message });
  // Typed as a single-node client for the services that still take `Redis`; with REDIS_URL
  // in cluster form it is an ioredis Cluster, which has the same commands (RedisClient).
  const connection = createRedis(config.REDIS_URL, {
    role: 'worker',
    name: `argus-worker-${id}`,
    onError: onRedisError,
  }) as Redis;
  const keys = new RedisKeys(config.KEY_PREFIX);
  const uploads = new UploadStore(connection, keys, config.BLOB_TTL_SECONDS);
  const results = new ResultCache(connection, keys);
  const registry = new WorkerRegistry(connection, keys);
  const telemetry = new WorkerTelemetry({
    workerId: id,
    tasks,
    snapshots: new MetricsSnapshotStore<MetricsSnapshot>(connection, keys),
    pushIntervalMs: config.METRICS_PUSH_INTERVAL_MS,
    log,
  });
  telemetry.modelsLoaded(inference.loadedModels, loadSeconds);
  const queueSettings = { prefix: config.KEY_PREFIX, retentionSeconds: config.RESULT_TTL_SECONDS };
  const webhookQueue = createWebhookQueue(connection, {
    ...queueSettings,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
  });
  const events = new JobEvents(
    connection,
    keys,
    webhookQueue,
    config.RESULT_TTL_SECONDS,
    config.WEBHOOK_LOG_MAX_ENTRIES,
  );
  // Shutdown stops running video jobs at once and hands them back to the queue (they resume
  // elsewhere from their last chunk) instead of holding the worker open for a long video.
  const stopping = new AbortController();
  const deps: ProcessorDeps = {
    uploads,
    results,
    cancels: new CancelFlags(connection, keys, config.RESULT_TTL_SECONDS),
    inference: bounded,
    events,
    resultTtlSeconds: config.RESULT_TTL_SECONDS,
    log,
    video: {
      chunks: (jobId, ttlSeconds) => new VideoChunkStore(connection, keys, jobId, ttlSeconds),
      ffmpeg: config.FFMPEG_PATH,
      ffprobe: config.FFPROBE_PATH,
      maxDurationSec: config.MAX_VIDEO_SECONDS,
      maxPixels: config.MAX_PIXELS,
      timeoutMs: config.VIDEO_TIMEOUT_MS,
      chunkFrames: config.VIDEO_CHUNK_FRAMES,
      stopping: stopping.signal,
    },
  };

  // Jobs this process holds, with their lock tokens: a shutdown past its grace period
  // hands them back to the queue.
  const held: HeldJobs = new Map();

  // Live streams of the tasks this worker serves: held under leases, spread over the workers.
  const streamTasks = tasks.filter((t) => t === 'detect' || t === 'parse');
  const streams =
    streamTasks.length > 0 && config.STREAMS_PER_WORKER > 0
      ? new StreamSupervisor(
          new StreamStore(connection, keys),
          {
            store: new StreamStore(connection, keys),
            // The same pixel budget and per-frame deadline as jobs, on the task's lane.
            inference: bounded,
            ffmpeg: config.FFMPEG_PATH,
            eventsMax: config.STREAM_EVENTS_MAX,
            metrics: telemetry.streams,
            webhooks: new StreamWebhooks(webhookQueue, events.log),
            defaultModels: Object.fromEntries(
              streamTasks.map((t) => [t, manifest.models.find((m) => m.task === t && m.default)?.id]),
            ),
            log,
          },
          {
            workerId: id,
            leaseMs: config.STREAM_LEASE_MS,
            maxStreams: config.STREAMS_PER_WORKER,
            tasks: streamTasks,
          },
          log,
        )
      : undefined;
  streams?.start();

  const workers = tasks.map((task) => {
    const processor = PROCESSORS[task];
    const worker = new Worker<JobData, JobReturn, Task>(
      JOB_CATALOG[task].queueName,
      async (job, token) => {
        const key = `${task}:${job.id}`;
        if (token) held.set(key, { job, token });
        try {
          return await processor(job, deps);
        } catch (err) {
          // A video stopped by shutdown goes back to the queue without using an attempt
          // (as drainWithGrace does for the rest); another worker resumes its chunks.
          if (stopping.signal.aborted && job.data.media === 'video' && token) {
            await job.moveToWait(token);
            throw new WaitingError();
          }
          throw err;
        } finally {
          held.delete(key);
        }
      },
      {
        connection,
        prefix: bullPrefix(config.KEY_PREFIX, JOB_CATALOG[task].queueName),
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
      if (job && final) void uploads.delete(job.data.blobKey).catch(() => undefined);
      // Jobs failed by BullMQ itself (stalled too often) never reach the processor's catch;
      // ending twice is harmless (same delivery ids).
      if (job && final) void events.ended(failedSnapshot(job, err.message)).catch(() => undefined);
    });
    telemetry.observe(worker, task);
    return worker;
  });

  // Webhook deliveries go out from every worker process (they wait on the network, not
  // the CPU), with their own queue so a slow receiver never holds up inference.
  const deliveryWorker =
    config.WEBHOOK_CONCURRENCY > 0 && config.WEBHOOK_SECRET
      ? startDeliveryWorker(
          connection,
          {
            results,
            deliveries: events.log,
            secret: config.WEBHOOK_SECRET,
            policy: {
              allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
              allowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
            },
            timeoutMs: config.WEBHOOK_TIMEOUT_MS,
            maxResponseBytes: config.WEBHOOK_MAX_RESPONSE_BYTES,
            log,
          },
          {
            prefix: config.KEY_PREFIX,
            concurrency: config.WEBHOOK_CONCURRENCY,
            backoffMs: config.WEBHOOK_BACKOFF_MS,
          },
        )
      : undefined;
  // Every task's queue, not only the served ones: the orphan sweep must see all live jobs.
  const taskQueues = TASKS.map((task) => createQueue(task, connection, queueSettings));
  const stopJanitor = startJanitor(
    [...taskQueues, webhookQueue],
    config.RESULT_TTL_SECONDS * 1000,
    config.JANITOR_INTERVAL_MS,
    log,
    { uploads, queues: taskQueues },
  );

  const info = {
    id,
    pid: process.pid,
    host: os.hostname(),
    tasks,
    models: inference.loadedModels,
    startedAt: Date.now(),
  };
  // The heartbeat carries the main thread's event-loop delay since the previous beat.
  const loop = new EventLoopMonitor();
  const beat = () => {
    const snapshot: typeof info & {
      eventLoop: ReturnType<EventLoopMonitor['take']>;
      modelsOnDemand: string[];
    } = {
      ...info,
      // Of `models`, those still without a session (it is created by their first job).
      modelsOnDemand: inference.modelsOnDemand(),
      eventLoop: loop.take(),
    };
    return registry
      .heartbeat(snapshot, config.WORKER_HEARTBEAT_MS * 3)
      .catch((err: Error) => log.warn('heartbeat failed', { err: err.message }));
  };
  await beat();
  // Redis lost its data: the heartbeat (this worker's readiness, seen by the gateways) is
  // written again at once. BullMQ's workers re-create their own keys as they poll.
  const epoch = new RedisEpoch(connection, {
    key: keys.epoch(),
    checkIntervalMs: config.REDIS_EPOCH_CHECK_MS,
    onLoss: ({ previous, current, reason }) =>
      log.error('Redis lost its data: jobs held before now are gone', {
        reason,
        previousEpoch: previous.id,
        previousSince: new Date(previous.createdAt).toISOString(),
        epoch: current.id,
      }),
    reestablish: beat,
  });
  await epoch.establish();
  epoch.start();
  const heartbeat = setInterval(() => void beat(), config.WORKER_HEARTBEAT_MS);
  await telemetry.start();
  log.info('worker ready', {
    workerId: id,
    tasks,
    models: inference.loadedModels,
    concurrency: config.WORKER_CONCURRENCY,
  });

  let handedBack = 0;
  return {
    id,
    get handedBack() {
      return handedBack;
    },
    async close() {
      clearInterval(heartbeat);
      loop.stop();
      stopJanitor();
      epoch.stop();
      // Streams give up their leases at once, so another worker takes them over.
      await streams?.close();
      // Running videos stop now and are handed back (see the processor wrapper above).
      stopping.abort(
        new Error('the worker shut down mid-video; another attempt resumes from the last chunk'),
      );
      // Held jobs get SHUTDOWN_GRACE_MS to finish; the rest go back to the queue at once.
      handedBack = (await drainWithGrace(workers, held, config.SHUTDOWN_GRACE_MS, log)).handedBack;
      if (deliveryWorker) await deliveryWorker.close();
      killAllFfmpeg();
      await Promise.all([...taskQueues, webhookQueue].map((q) => q.close()));
      await registry.remove(id).catch(() => undefined);
      await telemetry.close();
      // A thread still busy with a handed-back job ends when the process exits; waiting for
      // it here would undo the grace period.
      await Promise.race([inference.close(), new Promise((r) => setTimeout(r, 1000).unref())]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
