/**
 * Graceful shutdown of the real processes, as Kubernetes and `docker compose` stop them
 * (SIGTERM, then SIGKILL after the grace period):
 * - a worker SIGTERMed while it holds a batch stops taking jobs, finishes what it holds,
 *   flushes its metrics and exits 0, while another worker takes the rest; every job
 *   completes exactly once;
 * - the gateway SIGTERMed with a synchronous request in flight stops accepting connections,
 *   answers that request and exits 0.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import {
  sample,
  sleep,
  startPlatform,
  waitForOutput,
  type Platform,
  type ProcessHandle,
} from './support/platform';
import {
  distinctJpegs,
  doneCounts,
  jobsDoneBy,
  jsonLines,
  submitAll,
  waitForCompleted,
} from './support/fleet';
import { writeSlowDetectorModelsDir } from './support/slow-detector';

/** Longest a drained process may take to exit; Kubernetes' grace period must exceed it. */
const GRACE_MS = 30_000;

async function exitWithin(handle: ProcessHandle, ms: number): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    handle.exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${handle.name} still running ${ms} ms after SIGTERM`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
  return { code, ms: Date.now() - started };
}

describe('SIGTERM to a worker in the middle of a batch, with another worker running', () => {
  const JOBS = 40;
  const CONCURRENCY = 4;
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 2,
      workerEnv: {
        LOG_JSON: 'true',
        WORKER_TASKS: 'detect',
        WORKER_MODELS: 'yolov8n',
        WORKER_CONCURRENCY: String(CONCURRENCY),
        // Wait a little for a batch to fill, so the jobs a worker holds run as batches.
        BATCH_MAX_SIZE: String(CONCURRENCY),
        BATCH_MAX_DELAY_MS: '50',
        // Snapshots are pushed at start and on shutdown only: the final count in /metrics
        // can come from nothing but the flush on SIGTERM.
        METRICS_PUSH_INTERVAL_MS: '600000',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('finishes its batch, stops taking jobs, flushes metrics, exits 0; every job completes once', async () => {
    const [stopped, survivor] = platform.processes.filter((p) => p.name.startsWith('worker'));
    const stoppedId = String(jsonLines(stopped).find((l) => l.msg === 'worker ready')?.workerId);
    const queue = platform.queue('detect');
    try {
      await queue.pause();
      const ids = await submitAll(platform, distinctJpegs(JOBS, `shutdown-${platform.prefix}`));
      await queue.resume();

      // Once it has finished a couple of jobs with a backlog left, the worker holds a full
      // set of active jobs (its concurrency), batched into model runs.
      const deadline = Date.now() + 60_000;
      while (jobsDoneBy(stopped).length < 2) {
        if (Date.now() > deadline) throw new Error(`worker did not finish 2 jobs\n${platform.logs()}`);
        await sleep(20);
      }
      // Submissions get a priority, so the backlog waits in the prioritized set.
      const backlog = await queue.getJobCounts('wait', 'prioritized');
      expect(backlog.wait + backlog.prioritized).toBeGreaterThan(0);
      const doneBefore = jobsDoneBy(stopped).length;
      stopped.child.kill('SIGTERM');
      const { code, ms } = await exitWithin(stopped, GRACE_MS);
      expect(code).toBe(0);

      // What it held at SIGTERM it finished (at least one job, at most its concurrency), and
      // it took nothing new.
      const lines = jsonLines(stopped);
      const stopAt = lines.findIndex((l) => l.msg === 'stopping: finishing active jobs');
      expect(stopAt).toBeGreaterThanOrEqual(0);
      const afterStop = lines.slice(stopAt).filter((l) => l.msg === 'job done');
      expect(afterStop.length).toBeGreaterThanOrEqual(1);
      expect(afterStop.length).toBeLessThanOrEqual(CONCURRENCY);
      const batchSizes = afterStop.map((l) => Number(l.batchSize ?? 1));
      expect(Math.max(...batchSizes)).toBeGreaterThanOrEqual(2);
      expect(jobsDoneBy(stopped).length).toBeGreaterThanOrEqual(doneBefore);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);

      // The other worker takes the rest; every job completes exactly once, on its first attempt.
      await waitForCompleted(queue, JOBS, 120_000, () => platform.logs());
      const jobs = (await queue.getJobs(['completed'], 0, -1)) as Job[];
      expect(jobs.map((j) => j.id).sort()).toEqual([...ids].sort());
      expect(jobs.filter((j) => j.attemptsStarted !== 1 || j.stalledCounter !== 0).map((j) => j.id)).toEqual(
        [],
      );
      const counts = doneCounts([stopped, survivor]);
      expect([...counts.keys()].sort()).toEqual([...ids].sort());
      expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      expect(jobsDoneBy(survivor).length).toBeGreaterThan(0);
      expect((await queue.getJobCounts('failed')).failed).toBe(0);

      // The final snapshot (pushed on SIGTERM) counts every job the stopped worker completed.
      const metrics = await (await fetch(`${platform.url}/metrics`)).text();
      const series = metrics
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('argus_jobs_processed_total{') &&
            l.includes(`worker="${stoppedId}"`) &&
            l.includes('status="completed"'),
        );
      const flushed = series.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
      expect(flushed).toBe(jobsDoneBy(stopped).length);

      console.log(
        `worker SIGTERM: exited 0 after ${ms} ms, finished ${afterStop.length} held job(s) after the signal ` +
          `(batch sizes ${batchSizes.join(',')}); ` +
          `jobs: stopped worker ${jobsDoneBy(stopped).length}, survivor ${jobsDoneBy(survivor).length}`,
      );
    } finally {
      await queue.close();
    }
  }, 180_000);
});

describe('SIGTERM to the gateway with a request in flight', () => {
  let platform: Platform;
  let modelsDir: string;

  beforeAll(async () => {
    // A detector whose single run takes seconds, so the request is surely in flight.
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-shutdown-'));
    writeSlowDetectorModelsDir(modelsDir);
    platform = await startPlatform({
      workers: 1,
      env: { MODELS_DIR: modelsDir, WORKER_TASKS: 'detect', WORKER_CONCURRENCY: '1' },
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
    if (modelsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('stops accepting, answers the in-flight request, exits 0', async () => {
    const gateway = platform.gateway!;
    const port = Number(new URL(platform.url).port);
    const inFlight = platform.post('/detect', sample('zidane.jpg'), {}, 'file');
    const queue = platform.queue('detect');
    try {
      const deadline = Date.now() + 20_000;
      while ((await queue.getJobCounts('active')).active === 0) {
        if (Date.now() > deadline) throw new Error(`the job never became active\n${platform.logs()}`);
        await sleep(50);
      }
    } finally {
      await queue.close();
    }
    gateway.child.kill('SIGTERM');
    await waitForOutput(gateway, /stopping: finishing in-flight requests/, 5_000);

    // New connections are refused while the request is still being served.
    expect(await canConnect(port)).toBe(false);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, count: 0 });

    const { code } = await exitWithin(gateway, GRACE_MS);
    expect(code).toBe(0);
  }, 90_000);
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
