/**
 * `npm start`'s Redis: the one at REDIS_URL when the operator set it (never replaced), else
 * whatever answers at 127.0.0.1:REDIS_LOCAL_PORT, else a `redis-server` started here
 * (data in .argus/redis, AOF on, loopback only) that stops with the platform.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { pingRedis } from '@argus/queue';

export interface RedisChoice {
  url: string;
  /** Stops the Redis this launcher started (a no-op for one it found). */
  stop(): Promise<void>;
  started: boolean;
}

export class RedisUnavailableError extends Error {
  constructor(readonly url: string) {
    super(`No Redis answered at ${url}`);
    this.name = 'RedisUnavailableError';
  }
}

export interface RedisPlan {
  /** REDIS_URL as configured; used as is when `explicit`. */
  configuredUrl: string;
  explicit: boolean;
  autostart: boolean;
  localPort: number;
  dataDir: string;
  /** The redis-server binary (PATH lookup by default). */
  binary?: string;
  log: (line: string) => void;
}

export function redisServerInstalled(binary = 'redis-server'): boolean {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

export async function chooseRedis(plan: RedisPlan): Promise<RedisChoice> {
  const none = { stop: async () => undefined, started: false };
  if (plan.explicit) {
    if (await pingRedis(plan.configuredUrl, 3_000)) return { url: plan.configuredUrl, ...none };
    throw new RedisUnavailableError(plan.configuredUrl);
  }
  const url = `redis://127.0.0.1:${plan.localPort}`;
  if (await pingRedis(url, 3_000)) return { url, ...none };
  const binary = plan.binary ?? 'redis-server';
  if (!plan.autostart || !redisServerInstalled(binary)) throw new RedisUnavailableError(url);

  fs.mkdirSync(plan.dataDir, { recursive: true });
  plan.log(`no Redis at ${url}; starting ${binary} there (data in ${plan.dataDir}, AOF on)`);
  const child = spawn(
    binary,
    [
      '--port',
      String(plan.localPort),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--dir',
      plan.dataDir,
      '--appendonly',
      'yes',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      // Only what stops Redis; its start-up warnings (memory overcommit) are not ours to fix.
      if (/error|fatal/i.test(line)) plan.log(`redis: ${line}`);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await pingRedis(url, 1_000)) {
      // If the launcher dies without stopping it, do not leave Redis behind.
      const killOnExit = () => child.kill('SIGTERM');
      process.once('exit', killOnExit);
      return {
        url,
        started: true,
        stop: async () => {
          process.removeListener('exit', killOnExit);
          await stopChild(child, exited);
        },
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopChild(child, exited);
  throw new Error(`${binary} did not start on port ${plan.localPort} (is the port taken?)`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM'); // redis-server flushes the AOF and exits on SIGTERM
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
