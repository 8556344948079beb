/** The ceiling: the model alone in this process, on one or several threads (instances). */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CeilingMessage, CeilingThreadInit } from './ceiling-thread';

export interface CeilingConfig {
  task: 'detect' | 'parse';
  instances: number;
  intraOpThreads: number;
  batch: number;
  inFlight: number;
}

export interface CeilingResult extends CeilingConfig {
  imagesPerSec: number;
  /** Share of all cores the process used during the measured window. */
  cpuShare?: number;
}

export async function measureCeiling(
  config: CeilingConfig,
  shared: {
    modelsDir: string;
    detectModel: string;
    parseModel: string;
    images: string[];
    warmupMs: number;
    durationMs: number;
  },
): Promise<CeilingResult> {
  const threads = Array.from({ length: config.instances }, (_, i) => {
    // Each instance starts at a different image so they do not decode the same ones.
    const images = shared.images.map((_, k) => shared.images[(k + i * 37) % shared.images.length]);
    const init: CeilingThreadInit = { ...shared, ...config, images };
    return new Worker(path.join(__dirname, 'ceiling-thread.js'), { workerData: init });
  });
  try {
    const message = (w: Worker, type: CeilingMessage['type']) =>
      new Promise<CeilingMessage>((resolve, reject) => {
        const onMessage = (m: CeilingMessage) => {
          if (m.type !== type) return;
          w.off('message', onMessage);
          resolve(m);
        };
        w.on('message', onMessage);
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`ceiling thread exited (${code}) before "${type}"`)));
      });
    await Promise.all(threads.map((w) => message(w, 'ready')));
    const done = threads.map((w) => message(w, 'done'));
    // Every instance starts together, so they compete for the cores as the worker's would.
    for (const w of threads) w.postMessage('go');
    const results = (await Promise.all(done)) as Extract<CeilingMessage, { type: 'done' }>[];
    const imagesPerSec = results.reduce((sum, r) => sum + r.images / r.seconds, 0);
    // The instances ran over the same window, and cpuUsage() counts the whole process.
    const cpuShare = results[0].cpuSeconds / (results[0].seconds * os.availableParallelism());
    return { ...config, imagesPerSec, cpuShare };
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
