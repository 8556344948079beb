/**
 * `npm start` (apps/launcher) for real: a partial start when a model's source is broken
 * (per-model /readyz, 400 for the missing model, detect + parse on bus.jpg), its own
 * redis-server when none answers and REDIS_URL is unset (on a spare port, never the shared
 * 6379), the one-liners when none is installed, an explicit REDIS_URL never replaced, and
 * "no model at all" stopping the start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pingRedis } from '@argus/queue';
import { startSourceServer, type SourceServer } from '../apps/tools/src/sources/source-server';
import { REDIS_URL, REPO_ROOT, SHARED, deleteKeys, sample, sleep, testConnection } from './support/platform';
import { freePort } from './support/redis-server';

const STAGED = path.join(SHARED, 'models');
const LAUNCHER = path.join(REPO_ROOT, 'apps/launcher/dist/main.js');
const GCS = 'https://storage.googleapis.com/tfjs-models/savedmodel/bodypix/mobilenet/';

interface Launch {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let tmp: string[] = [];
const children: ChildProcess[] = [];

function freshModelsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-launch-'));
  tmp.push(dir);
  fs.copyFileSync(path.join(REPO_ROOT, 'models/manifest.json'), path.join(dir, 'manifest.json'));
  fs.cpSync(path.join(REPO_ROOT, 'models/labels'), path.join(dir, 'labels'), { recursive: true });
  return dir;
}

/** The launcher with the test's environment; REDIS_URL is dropped unless `env` sets it. */
function launch(env: Record<string, string>): Launch {
  const base = { ...process.env };
  delete base.REDIS_URL;
  const child = spawn(process.execPath, [LAUNCHER], {
    env: { ...base, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(l: Launch, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(l.output())) {
    if (l.child.exitCode !== null) throw new Error(`launcher exited (${l.child.exitCode}):\n${l.output()}`);
    if (Date.now() > deadline) throw new Error(`launcher did not print ${pattern}:\n${l.output()}`);
    await sleep(100);
  }
}

async function stop(l: Launch): Promise<number | null> {
  if (l.child.exitCode === null) l.child.kill('SIGTERM');
  return l.exited;
}

/** The parts of a job view and an error body these tests read. */
interface JobBody {
  id: string;
  status: string;
  error: { code: string; message: string };
  result: { detections: { label: string }[]; persons: unknown[] };
}

async function submit(
  url: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: JobBody }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const bus = sample('bus.jpg');
  form.append('image', new Blob([new Uint8Array(bus.bytes)], { type: bus.type }), bus.name);
  const res = await fetch(`${url}/v1/jobs`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as JobBody };
}

async function finished(url: string, id: string): Promise<JobBody> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as JobBody;
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not finish: ${JSON.stringify(job)}`);
    await sleep(200);
  }
}

let server: SourceServer;
beforeAll(async () => {
  if (!fs.existsSync(path.join(STAGED, 'source/bodypix'))) throw new Error(`${STAGED}/source is missing`);
  server = await startSourceServer(STAGED);
});
afterEach(async () => {
  // SIGTERM lets a launcher stop its gateway, workers and Redis; SIGKILL only if it hangs.
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  }
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
  tmp = [];
});
afterAll(() => server.close());

describe('npm start with a broken model source', () => {
  it('starts with the other models, says what is missing, and answers 400 for it', async () => {
    server.setFault(`${GCS}float/050/group1-shard1of1.bin`, 'missing');
    const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const l = launch({
      REDIS_URL,
      KEY_PREFIX: prefix,
      PORT: String(port),
      MODELS_DIR: freshModelsDir(),
      MODEL_MIRROR: '',
      MODEL_URL_MAP: server.urlMap,
      WORKERS: '1',
    });
    const redis = testConnection(REDIS_URL);
    try {
      await waitFor(l, /Argus is up at/);
      const out = l.output();
      expect(out).toMatch(/models ready: yolov8n, yolov8n-int8, bodypix-075, yolov8n-seg, bodypix-075-sch/);
      expect(out).toMatch(/missing bodypix-050: cannot download .*group1-shard1of1\.bin: HTTP 404/);
      expect(out).toMatch(/npm run models/);
      expect(out).toMatch(/serving without: bodypix-050/);
      const url = `http://localhost:${port}`;

      const ready = (await (await fetch(`${url}/readyz`)).json()) as { modelStatus: unknown[] };
      expect(ready.modelStatus).toEqual([
        { id: 'yolov8n', task: 'detect', default: true, status: 'ready' },
        { id: 'yolov8n-int8', task: 'detect', default: false, status: 'ready' },
        { id: 'bodypix-075', task: 'parse', default: false, status: 'ready' },
        {
          id: 'bodypix-050',
          task: 'parse',
          default: false,
          status: 'missing',
          reason: expect.stringContaining('HTTP 404') as string,
        },
        { id: 'yolov8n-seg', task: 'segment', default: true, status: 'ready' },
        { id: 'bodypix-075-sch', task: 'parse', default: true, status: 'ready' },
      ]);

      const refused = await submit(url, { task: 'parse', model: 'bodypix-050' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('model_unavailable');
      expect(refused.body.error.message).toMatch(
        /model "bodypix-050" is not installed.*Available for parse: bodypix-075/,
      );

      const detect = await submit(url, { task: 'detect' });
      expect(detect.status).toBe(202);
      const detected = await finished(url, detect.body.id);
      expect(detected.status).toBe('completed');
      expect(detected.result.detections.map((d) => d.label)).toContain('bus');

      const parse = await submit(url, { task: 'parse' });
      const parsed = await finished(url, parse.body.id);
      expect(parsed.status).toBe('completed');
      expect(parsed.result.persons.length).toBeGreaterThanOrEqual(3);
    } finally {
      expect(await stop(l)).toBe(0);
      await deleteKeys(redis, `${prefix}*`);
      redis.disconnect();
    }
  }, 240_000);

  it('stops when no model at all can be obtained, naming each and why', async () => {
    for (const rel of ['quant2/075/', 'float/050/'])
      for (const f of ['model-stride16.json', 'group1-shard1of1.bin'])
        server.setFault(`${GCS}${rel}${f}`, 'missing');
    const github = [
      'https://github.com/Lamri-Meriem/edge-object-detection/raw/a6844ef947be6d0dd3aeafcf4cac6f3d01806e10/yolov8n_int8.onnx',
      'https://github.com/udaypartha/dashcam/raw/7a2d55819df7f17222042203db878a3d23d3aaa5/yolov8n-seg_int8.onnx',
      'https://github.com/Kazuhito00/Skin-Clothes-Hair-Segmentation-using-SMP/raw/043fc08bf0ed845b36485a115085104c6459cbc4/02.model/_old/PAN%28timm-mobilenetv3_small_100%29_452_1.02M_0.8028/best_model_simplifier.onnx',
    ];
    for (const u of github) server.setFault(u, 'missing');
    try {
      const l = launch({
        REDIS_URL,
        MODELS_DIR: freshModelsDir(),
        MODEL_MIRROR: '',
        MODEL_URL_MAP: server.urlMap,
      });
      expect(await l.exited).toBe(1);
      expect(l.output()).toMatch(/no model could be installed/);
      for (const id of [
        'yolov8n',
        'yolov8n-int8',
        'bodypix-075',
        'bodypix-050',
        'yolov8n-seg',
        'bodypix-075-sch',
      ])
        expect(l.output()).toMatch(new RegExp(`- ${id}: cannot download`));
    } finally {
      for (const u of github) server.setFault(u, undefined);
      for (const rel of ['quant2/075/', 'float/050/'])
        for (const f of ['model-stride16.json', 'group1-shard1of1.bin'])
          server.setFault(`${GCS}${rel}${f}`, undefined);
    }
  }, 120_000);
});

describe('npm start and Redis', () => {
  it('runs its own redis-server (AOF, loopback) when REDIS_URL is unset and nothing answers, and stops it', async () => {
    const redisPort = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-redis-'));
    tmp.push(dataDir);
    const port = await freePort();
    const l = launch({
      REDIS_LOCAL_PORT: String(redisPort),
      REDIS_LOCAL_DIR: dataDir,
      PORT: String(port),
      MODELS_DIR: freshModelsDir(),
      MODEL_MIRROR: STAGED,
      WORKERS: '1',
      WORKER_TASKS: 'detect',
      WORKER_MODELS: 'yolov8n-int8',
    });
    await waitFor(l, /Argus is up at/);
    expect(l.output()).toMatch(
      new RegExp(`no Redis at redis://127\\.0\\.0\\.1:${redisPort}; starting redis-server`),
    );
    expect(await pingRedis(`redis://127.0.0.1:${redisPort}`, 2_000)).toBe(true);
    const conn = testConnection(`redis://127.0.0.1:${redisPort}`);
    const [, appendonly] = await conn.config('GET', 'appendonly');
    const [, bind] = await conn.config('GET', 'bind');
    conn.disconnect();
    expect(appendonly).toBe('yes');
    expect(bind).toBe('127.0.0.1');
    expect(fs.readdirSync(dataDir).join()).toMatch(/appendonly/);
    const ready = (await (await fetch(`http://localhost:${port}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('ready');
    expect(await stop(l)).toBe(0);
    expect(await pingRedis(`redis://127.0.0.1:${redisPort}`, 1_000)).toBe(false);
  }, 180_000);

  it('prints the Debian / macOS / Docker one-liners and exits 1 when no redis-server is installed', async () => {
    // A PATH without redis-server: a folder holding only a link to node.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-bin-'));
    tmp.push(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const l = launch({ REDIS_LOCAL_PORT: String(await freePort()), MODELS_DIR: freshModelsDir(), PATH: bin });
    expect(await l.exited).toBe(1);
    expect(l.output()).toMatch(/no redis-server is installed/);
    expect(l.output()).toMatch(/Debian\/Ubuntu: +sudo apt-get install -y redis-server/);
    expect(l.output()).toMatch(/macOS: +brew install redis/);
    expect(l.output()).toMatch(/Docker: +docker run -d --name argus-redis -p 6379:6379 redis:7/);
  }, 60_000);

  it('never replaces an explicit REDIS_URL that does not answer', async () => {
    const redisPort = await freePort();
    const l = launch({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_LOCAL_PORT: String(redisPort) });
    expect(await l.exited).toBe(1);
    expect(l.output()).toMatch(/\(REDIS_URL\), and npm start never replaces an explicit REDIS_URL/);
    expect(await pingRedis(`redis://127.0.0.1:${redisPort}`, 1_000)).toBe(false);
  }, 60_000);
});
