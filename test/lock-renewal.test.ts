/**
 * onnxruntime-node's `run()` blocks the thread that calls it, and BullMQ renews a job's lock
 * from timers on the worker's event loop. The worker therefore runs models on an inference
 * thread. This suite gives the real worker a model whose single run outlasts the lock several
 * times over and checks the job completes on its first attempt without ever stalling; the
 * control runs the very same model and pipeline on a BullMQ worker's own thread and checks
 * that BullMQ does report that job stalled, so the first test can fail.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DetectOptionsSchema } from '@argus/contracts';
import { detectImage, loadDetectModel } from '@argus/models';
import { REDIS_URL, deleteKeys, sample, startPlatform, type Platform } from './support/platform';
import {
  SLOW_DETECTOR_ID,
  writeSlowDetectorModelsDir,
  type SlowDetectorModelsDir,
} from './support/slow-detector';

/** BullMQ lock duration and stalled-check interval for both the platform and the control. */
const LOCK_MS = 1000;

let modelsDir: string;
let models: SlowDetectorModelsDir;

beforeAll(() => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-lock-renewal-'));
  models = writeSlowDetectorModelsDir(modelsDir);
});

afterAll(() => {
  if (modelsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
});

/** Resolves with `promise`, or fails naming `what` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a detect job whose model run outlasts the BullMQ lock', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 1,
      env: {
        MODELS_DIR: modelsDir,
        LOCK_DURATION_MS: String(LOCK_MS),
        STALLED_INTERVAL_MS: String(LOCK_MS),
        WORKER_TASKS: 'detect',
        WORKER_CONCURRENCY: '1',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('completes on its first attempt and never stalls, because the model runs off the main thread', async () => {
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'detect' });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id, 60_000);
    const queue = platform.queue('detect');
    const bullJob = await queue.getJob(submit.body.id).finally(() => queue.close());
    const workerLog = platform.processes
      .filter((p) => p.name.startsWith('worker'))
      .map((p) => p.output.join(''))
      .join('\n');

    // One diff that shows everything BullMQ knows about how the job went.
    expect({
      status: job.status,
      error: job.error,
      attempts: job.timings.attempts,
      attemptsStarted: bullJob?.attemptsStarted,
      stalledCounter: bullJob?.stalledCounter,
    }).toEqual({ status: 'completed', error: undefined, attempts: 1, attemptsStarted: 1, stalledCounter: 0 });
    expect(workerLog).not.toMatch(/stalled|could not renew lock|missing lock/i);
    // Precondition: the run really outlasted the lock, so the lock had to be renewed while it ran.
    expect(job.result.timings.inferMs).toBeGreaterThan(LOCK_MS);
    expect(job.timings.processingMs).toBeGreaterThan(2 * LOCK_MS);
    expect(job.result.model.id).toBe(SLOW_DETECTOR_ID);
    expect(job.result.count).toBe(0);
  }, 90_000);
});

describe('control: the same model run on the BullMQ worker’s own thread', () => {
  it('lets the lock lapse, and BullMQ reports the job stalled and runs it again', async () => {
    const model = await loadDetectModel(models.entry, modelsDir, { intraOpThreads: 0 });
    const image = sample('zidane.jpg').bytes;
    const options = DetectOptionsSchema.parse({});
    const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
    const queueName = 'lock-control';
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection, prefix });
    const runsMs: number[] = [];
    const errors: string[] = [];
    let worker: Worker | undefined;
    try {
      worker = new Worker(
        queueName,
        async (job) => {
          // Only the first attempt blocks; a re-run after a stall returns at once.
          if (job.attemptsStarted > 1) return 'rerun';
          for (let i = 0; i < 2; i++) {
            const result = await detectImage(model, image, options, { maxPixels: 40_000_000 });
            runsMs.push(result.timings.inferMs);
          }
          return 'first attempt';
        },
        { connection, prefix, lockDuration: LOCK_MS, stalledInterval: LOCK_MS, maxStalledCount: 2 },
      );
      worker.on('error', (err) => errors.push(err.message));
      const stalled = new Promise<string>((resolve) => worker!.once('stalled', (jobId) => resolve(jobId)));
      const completed = new Promise<unknown>((resolve) =>
        worker!.once('completed', (_job, result) => resolve(result)),
      );

      const job = await queue.add('detect', { note: 'control' });
      expect(await within(stalled, 60_000, 'a stalled event')).toBe(job.id);
      // The first attempt's result is lost with its lock; the job completes from the re-run.
      expect(await within(completed, 30_000, 'completion of the re-run')).toBe('rerun');

      // Precondition: each run outlasted the lock, like the platform's job.
      expect(runsMs).toHaveLength(2);
      for (const ms of runsMs) expect(ms).toBeGreaterThan(LOCK_MS);
      const after = await queue.getJob(job.id!);
      expect(after!.stalledCounter).toBeGreaterThanOrEqual(1);
      expect(after!.attemptsStarted).toBeGreaterThanOrEqual(2);
      expect(errors.join('\n')).toMatch(/could not renew lock|missing lock/i);
    } finally {
      await worker?.close();
      await queue.close();
      await deleteKeys(connection, `${prefix}:*`);
      await connection.quit();
      await model.session.release();
    }
  }, 120_000);
});
