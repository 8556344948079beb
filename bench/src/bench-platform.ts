/**
 * Runs the real platform for the benchmark: the built gateway and worker processes on
 * loopback, against the local Redis, under a random KEY_PREFIX whose keys are deleted at
 * the end. Processes are started and stopped by pid, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisKeys, WorkerRegistry } from '@argus/queue';
import { REPO_ROOT } from './images';
import { sleep } from './stats';

export const REDIS_URL = 'redis://127.0.0.1:6379';
const GATEWAY = path.join(REPO_ROOT, 'apps/gateway/dist/main.js');
const WORKER = path.join(REPO_ROOT, 'apps/worker/dist/main.js');

export interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** The main thread's event-loop delay over one heartbeat window (see the worker's EventLoopMonitor). */
export interface LoopWindow {
  pid: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  windowMs: number;
  endedAt: number;
}

export function startNodeProcess(name: string, script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, child, output, exited };
}

export async function waitForOutput(proc: Proc, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(proc.output.join(''));
    if (match) return match[1] ?? match[0];
    if (proc.child.exitCode !== null) {
      throw new Error(
        `${proc.name} exited (${proc.child.exitCode}) before ready:\n${proc.output.join('').slice(-3000)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(`${proc.name} not ready within ${timeoutMs} ms:\n${proc.output.join('').slice(-3000)}`);
    }
    await sleep(50);
  }
}

export async function stopProcess(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.exited;
  clearTimeout(timer);
}

export class BenchPlatform {
  readonly prefix = `argus-bench-${crypto.randomBytes(4).toString('hex')}`;
  readonly redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  gateway?: Proc;
  workers: Proc[] = [];
  url = '';
  private workerCount = 0;

  constructor(private readonly baseEnv: Record<string, string>) {}

  private env(extra: Record<string, string>): Record<string, string> {
    return {
      REDIS_URL,
      KEY_PREFIX: this.prefix,
      // The default level: a request line per request is part of what the platform costs.
      LOG_LEVEL: 'info',
      WORKER_HEARTBEAT_MS: '1000',
      ...this.baseEnv,
      ...extra,
    };
  }

  async startGateway(extra: Record<string, string> = {}): Promise<void> {
    this.gateway = startNodeProcess('gateway', GATEWAY, this.env({ HOST: '127.0.0.1', PORT: '0', ...extra }));
    this.url = await waitForOutput(this.gateway, /gateway listening url=(\S+)/, 30_000);
  }

  /** Starts `count` workers with `extra` env and waits until each has loaded its models. */
  async startWorkers(count: number, extra: Record<string, string> = {}): Promise<void> {
    const started = Array.from({ length: count }, () =>
      startNodeProcess(`worker-${this.workerCount++}`, WORKER, this.env(extra)),
    );
    this.workers.push(...started);
    await Promise.all(started.map((w) => waitForOutput(w, /worker ready/, 90_000)));
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map(stopProcess));
    this.workers = [];
  }

  pids(): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = { gateway: this.gateway?.child.pid };
    this.workers.forEach(
      (w, i) => (out[this.workers.length === 1 ? 'worker' : `worker ${i + 1}`] = w.child.pid),
    );
    return out;
  }

  /** Current event-loop windows of every live worker (from their heartbeats). */
  async loopWindows(): Promise<LoopWindow[]> {
    const live = await new WorkerRegistry(this.redis, new RedisKeys(this.prefix)).live(5_000);
    return live.flatMap((w) => {
      const loop = (w as { eventLoop?: Omit<LoopWindow, 'pid'> }).eventLoop;
      return loop ? [{ pid: w.pid, ...loop }] : [];
    });
  }

  /** Deletes every key of this run's prefix (queues, blobs, results, heartbeats). */
  async deleteKeys(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    if (this.gateway) await stopProcess(this.gateway);
    this.gateway = undefined;
    await this.deleteKeys().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.stop();
    this.redis.disconnect();
  }
}

/**
 * Collects the workers' event-loop windows every second while a load runs. Each heartbeat
 * window is a second long, so the worst window's p99 bounds the p99 of the whole run.
 */
export function collectLoopWindows(platform: BenchPlatform): { stop(): Promise<LoopWindow[]> } {
  const seen = new Map<string, LoopWindow>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const w of await platform.loopWindows().catch(() => [])) {
        // Consecutive reads of one heartbeat return the same window.
        seen.set(`${w.pid}:${w.endedAt}`, w);
      }
      await sleep(1000);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...seen.values()];
    },
  };
}

/** The local redis-server's pid, to count its CPU (undefined when it is not on this machine). */
export async function redisPid(redis: Redis): Promise<number | undefined> {
  const info = await redis.info('server');
  const m = /process_id:(\d+)/.exec(info);
  return m ? Number(m[1]) : undefined;
}
