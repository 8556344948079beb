/**
 * Scale-out with real processes: the same 300 distinct detect jobs through one worker
 * process, then through three worker processes sharing one Redis. Every job must complete
 * exactly once (one `job done` line over all workers, one attempt in BullMQ, nothing
 * failed), and all three workers must take part. The queue is paused while the jobs are
 * submitted and resumed at once, so the throughput measured is the workers', not the
 * upload rate. Measurements go to test-artifacts/scale-out.json (bench/RESULTS.md quotes them).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { REPO_ROOT, startPlatform, type Platform } from './support/platform';
import {
  cpuSeconds,
  distinctJpegs,
  doneCounts,
  jobsDoneBy,
  sampleRss,
  submitAll,
  waitForCompleted,
} from './support/fleet';

const JOBS = 300;
const workerEnv = { LOG_JSON: 'true', WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n' };

interface RunReport {
  workers: number;
  jobs: number;
  /** From `resume` to the last job's finishedOn. */
  seconds: number;
  jobsPerSecond: number;
  perWorker: Record<string, number>;
  latencyMs: { p50: number; p95: number };
  meanBatchSize: number;
  /** CPU time all worker processes spent per job: what a job costs, whatever else runs. */
  workerCpuSecondsPerJob: number;
  rssPeakMiB: Record<string, number>;
  /** The machine's 1-minute load average before and after: other work skews the numbers. */
  loadAverage: [number, number];
}

const reports: RunReport[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(workers: number): Promise<RunReport> {
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({ workers, workerEnv });
    const p = platform;
    const queue = p.queue('detect');
    try {
      const images = distinctJpegs(JOBS, `scale-${workers}-${p.prefix}`);
      await queue.pause();
      const ids = await submitAll(p, images);
      expect(new Set(ids).size).toBe(JOBS);
      const loadBefore = os.loadavg()[0];
      const rss = sampleRss(() => p.processes);
      const workerPids = p.processes.filter((h) => h.name.startsWith('worker')).map((h) => h.child.pid);
      const cpuBefore = workerPids.reduce<number>((sum, pid) => sum + cpuSeconds(pid), 0);
      const resumedAt = Date.now();
      await queue.resume();
      await waitForCompleted(queue, JOBS, 240_000, () => p.logs());
      const peaks = rss.stop();
      const cpuUsed = workerPids.reduce<number>((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore;

      // Exactly once: every submitted id completed, each logged done by one worker once,
      // each started once in BullMQ, nothing failed.
      const jobs = (await queue.getJobs(['completed'], 0, -1)) as Job[];
      expect(jobs.map((j) => j.id).sort()).toEqual([...ids].sort());
      expect(jobs.filter((j) => j.attemptsStarted !== 1).map((j) => j.id)).toEqual([]);
      expect(await queue.getJobCounts('failed', 'active', 'wait', 'prioritized', 'delayed')).toEqual({
        failed: 0,
        active: 0,
        wait: 0,
        prioritized: 0,
        delayed: 0,
      });
      const workerHandles = p.processes.filter((h) => h.name.startsWith('worker'));
      const counts = doneCounts(workerHandles);
      expect([...counts.keys()].sort()).toEqual([...ids].sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      const perWorker = Object.fromEntries(workerHandles.map((h) => [h.name, jobsDoneBy(h).length]));
      // Every worker took part.
      for (const n of Object.values(perWorker)) expect(n).toBeGreaterThan(0);

      const lastFinished = Math.max(...jobs.map((j) => j.finishedOn ?? 0));
      const seconds = (lastFinished - resumedAt) / 1000;
      const latencies = jobs
        .map((j) => (j.finishedOn ?? 0) - Math.max(j.timestamp, resumedAt))
        .sort((a, b) => a - b);
      const batchSizes = jobs.map(
        (j) => (j.returnvalue as { timings?: { batchSize?: number } })?.timings?.batchSize ?? 1,
      );
      return {
        workers,
        jobs: JOBS,
        seconds: Math.round(seconds * 100) / 100,
        jobsPerSecond: Math.round((JOBS / seconds) * 10) / 10,
        perWorker,
        latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
        meanBatchSize: Math.round((batchSizes.reduce((a, b) => a + b, 0) / batchSizes.length) * 100) / 100,
        workerCpuSecondsPerJob: Math.round((cpuUsed / JOBS) * 1000) / 1000,
        rssPeakMiB: Object.fromEntries(
          [...peaks].map(([name, bytes]) => [name, Math.round(bytes / 2 ** 20)]),
        ),
        loadAverage: [Math.round(loadBefore * 10) / 10, Math.round(os.loadavg()[0] * 10) / 10],
      };
    } finally {
      await queue.close();
    }
  } finally {
    await platform?.stop();
  }
}

describe(`${JOBS} distinct detect jobs`, () => {
  afterAll(() => {
    if (reports.length === 0) return;
    const out = path.join(REPO_ROOT, 'test-artifacts', 'scale-out.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const machine = { cpus: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
    fs.writeFileSync(out, `${JSON.stringify({ machine, runs: reports }, null, 2)}\n`);
    console.log(`scale-out (${machine.cpus} cores):\n${JSON.stringify(reports, null, 2)}`);
  });

  it('run through one worker process, each completed once', async () => {
    const report = await run(1);
    reports.push(report);
    expect(Object.values(report.perWorker)).toEqual([JOBS]);
  }, 300_000);

  it('run through three worker processes against one Redis, each completed once, all three taking part', async () => {
    const report = await run(3);
    reports.push(report);
    expect(Object.values(report.perWorker).reduce((a, b) => a + b, 0)).toBe(JOBS);
    expect(Object.keys(report.perWorker)).toHaveLength(3);
  }, 300_000);
});
