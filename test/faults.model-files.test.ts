/**
 * Faults, for real and on loopback: workers that refuse to start on a missing or corrupt model file (naming it and
 * `npm run models`), and /readyz following the live workers.
 * Every job accepted before a fault must end `completed` (or `failed` with a reason): never
 * lost, never stuck. docs/reliability.md maps each promise to the test that proves it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startPlatform, type Platform } from './support/platform';
import { within, killHard, waitUntil } from './support/faults';

describe('a worker with a missing or corrupt model file', () => {
  let platform: Platform;
  let dir: string;
  const INT8 = { WORKER_TASKS: 'detect', WORKER_MODELS: 'yolov8n-int8' };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-faults-models-'));
    fs.copyFileSync(path.join(REPO_ROOT, 'models', 'manifest.json'), path.join(dir, 'manifest.json'));
    fs.cpSync(path.join(REPO_ROOT, 'models', 'labels'), path.join(dir, 'labels'), { recursive: true });
    // Heartbeats every 300 ms: a dead worker leaves /readyz within about a second.
    platform = await startPlatform({ workers: 0, waitReady: false, env: { WORKER_HEARTBEAT_MS: '300' } });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function expectNotReady(): Promise<void> {
    const ready = await platform.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', workers: 0, error: { code: 'unavailable' } });
  }

  async function refusesToStart(name: string): Promise<string> {
    const worker = platform.startWorker({ ...INT8, MODELS_DIR: dir }, name);
    const code = await within(worker.exited, 30_000, `${name} exiting`);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    return worker.output.join('');
  }

  it('/readyz is not ready while no worker is alive', async () => {
    await expectNotReady();
  });

  it('refuses to start when the file is missing, naming it and `npm run models`', async () => {
    const output = await refusesToStart('worker-missing');
    expect(output).toContain('argus worker failed to start');
    expect(output).toContain(path.join(dir, 'yolov8n_int8.onnx'));
    expect(output).toContain('is missing');
    expect(output).toContain('npm run models');
    await expectNotReady();
  });

  it('refuses to start when the bytes do not match the sha256, naming the file and `npm run models`', async () => {
    const bytes = fs.readFileSync(path.join(REPO_ROOT, 'models', 'yolov8n_int8.onnx'));
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(path.join(dir, 'yolov8n_int8.onnx'), bytes);
    const expected = crypto.createHash('sha256').update(bytes).digest('hex');
    const output = await refusesToStart('worker-corrupt');
    expect(output).toContain(path.join(dir, 'yolov8n_int8.onnx'));
    expect(output).toContain(`has sha256 ${expected}`);
    expect(output).toContain('npm run models');
    await expectNotReady();
  });

  it('is ready with a good worker and not ready again once it is killed', async () => {
    const good = platform.startWorker(INT8, 'worker-good');
    await platform.waitForWorkerReady(good);
    await waitUntil('/readyz ready', 10_000, async () => (await platform.get('/readyz')).status === 200);
    await killHard(good);
    await waitUntil('/readyz not ready', 10_000, async () => (await platform.get('/readyz')).status === 503);
    await expectNotReady();
  }, 60_000);
});
