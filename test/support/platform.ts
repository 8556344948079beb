/**
 * Starts the real platform for a test file: the built gateway and worker processes
 * against the real Redis, under a random key prefix so test runs never share state.
 * `npm test` builds first; running jest alone needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { bullPrefix, parseRedisUrl, type RedisClient } from '@argus/queue';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
export const SAMPLES = path.join(SHARED, 'data', 'samples');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const GATEWAY = path.join(REPO_ROOT, 'apps/gateway/dist/main.js');
const WORKER = path.join(REPO_ROOT, 'apps/worker/dist/main.js');

export interface ProcessHandle {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export interface PlatformOptions {
  workers?: number;
  /** Extra environment for every process (and `gatewayEnv` / `workerEnv` for one kind). */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Wait for /readyz (needs a worker). Default: true when workers > 0. */
  waitReady?: boolean;
}

export class Platform {
  readonly processes: ProcessHandle[] = [];
  url = '';
  /** The test's own connection (a Cluster when REDIS_URL has the cluster form). */
  readonly redis: RedisClient;

  constructor(
    readonly prefix: string,
    readonly env: Record<string, string>,
  ) {
    this.redis = testConnection(env.REDIS_URL ?? REDIS_URL);
  }

  get gateway(): ProcessHandle | undefined {
    return this.processes.find((p) => p.name === 'gateway');
  }

  logs(): string {
    return this.processes.map((p) => `--- ${p.name}\n${p.output.join('')}`).join('\n');
  }

  startProcess(name: string, script: string, env: Record<string, string>): ProcessHandle {
    if (!fs.existsSync(script))
      throw new Error(`${script} is missing: run \`npm run build\` (npm test does it)`);
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, ...this.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const handle = { name, child, output, exited };
    this.processes.push(handle);
    return handle;
  }

  async startGateway(env: Record<string, string> = {}): Promise<void> {
    const handle = this.startProcess('gateway', GATEWAY, { PORT: '0', HOST: '127.0.0.1', ...env });
    // Text (`gateway listening url=…`) or JSON (`"url":"…","msg":"gateway listening"`) logs.
    this.url = await waitForOutput(
      handle,
      /(?<=gateway listening url=|"url":")[^\s"]+(?=\s|$|","msg":"gateway listening")/,
      20_000,
    );
  }

  startWorker(env: Record<string, string> = {}, name = `worker-${this.processes.length}`): ProcessHandle {
    return this.startProcess(name, WORKER, env);
  }

  async waitForWorkerReady(handle: ProcessHandle, timeoutMs = 30_000): Promise<void> {
    await waitForOutput(handle, /worker ready/, timeoutMs);
  }

  /** A BullMQ handle on one of the platform's queues, for inspection (shares `redis`). */
  queue(task: 'detect' | 'parse'): Queue {
    return new Queue(task, { connection: this.redis, prefix: bullPrefix(this.prefix, task) });
  }

  /** multipart POST with `file` under `field` and the given form fields. */
  async post(
    route: string,
    file: { bytes: Buffer; name: string; type?: string } | null,
    fields: Record<string, string> = {},
    field = 'image',
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (file)
      form.append(
        field,
        new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }),
        file.name,
      );
    const res = await fetch(`${this.url}${route}`, { method: 'POST', body: form });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON; tests assert on that
    }
    return { status: res.status, body, headers: res.headers };
  }

  async get(route: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}${route}`);
    const text = await res.text();
    return {
      status: res.status,
      body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text,
    };
  }

  /** Polls a job until it is completed, failed or canceled. */
  async waitForJob(id: string, timeoutMs = 30_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, body } = await this.get(`/v1/jobs/${id}`);
      if (status !== 200) throw new Error(`GET /v1/jobs/${id} answered ${status}: ${JSON.stringify(body)}`);
      if (['completed', 'failed', 'canceled'].includes(body.status)) return body;
      if (Date.now() > deadline)
        throw new Error(`job ${id} still ${body.status} after ${timeoutMs} ms\n${this.logs()}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(async (p) => {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
          await p.exited;
          clearTimeout(timer);
        }
      }),
    );
    await deleteKeys(this.redis, `${this.prefix}:*`);
    this.redis.disconnect();
  }
}

export async function startPlatform(opts: PlatformOptions = {}): Promise<Platform> {
  const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
  const platform = new Platform(prefix, { KEY_PREFIX: prefix, LOG_LEVEL: 'info', REDIS_URL, ...opts.env });
  try {
    const workers = opts.workers ?? 1;
    const handles = Array.from({ length: workers }, () => platform.startWorker(opts.workerEnv ?? {}));
    await platform.startGateway(opts.gatewayEnv ?? {});
    await Promise.all(handles.map((h) => platform.waitForWorkerReady(h)));
    if (opts.waitReady ?? workers > 0) await waitForReady(platform.url, 30_000);
    return platform;
  } catch (err) {
    const logs = platform.logs();
    await platform.stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

export async function waitForOutput(
  handle: ProcessHandle,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(handle.output.join(''));
    if (match) return match[1] ?? match[0];
    if (handle.child.exitCode !== null) {
      throw new Error(`${handle.name} exited with code ${handle.child.exitCode} before printing ${pattern}`);
    }
    if (Date.now() > deadline)
      throw new Error(`${handle.name} did not print ${pattern} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/readyz`).catch(() => null);
    if (res?.ok) return;
    await sleep(100);
  }
  throw new Error(`${url}/readyz did not become ready within ${timeoutMs} ms`);
}

/** A fail-fast connection for test code, to one Redis or (cluster form) a Redis Cluster. */
export function testConnection(url: string): RedisClient {
  const endpoint = parseRedisUrl(url);
  return endpoint.kind === 'cluster'
    ? new Cluster(endpoint.nodes, { redisOptions: { maxRetriesPerRequest: 1 } })
    : new Redis(url, { maxRetriesPerRequest: 1 });
}

/**
 * Deletes every key matching `pattern`. On a cluster SCAN sees one node only, so each master
 * is scanned, and keys are deleted one by one (one DEL may not span slots).
 */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  if (redis instanceof Cluster) {
    for (const node of redis.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length) await Promise.all(keys.map((key) => redis.unlink(key)));
      } while (cursor !== '0');
    }
    return;
  }
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function sample(name: string): { bytes: Buffer; name: string; type: string } {
  const file = path.join(SAMPLES, name);
  if (!fs.existsSync(file))
    throw new Error(`test image ${file} is missing (../shared/data/samples must sit beside the repo)`);
  return { bytes: fs.readFileSync(file), name, type: 'image/jpeg' };
}
