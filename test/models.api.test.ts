/**
 * `GET /v1/models` on the real gateway, worker and Redis, through the client's `models()`:
 * the manifest's models in order with labels, input, option defaults, state and the workers
 * that have them loaded, behind the API key. And the gateway process never loads
 * onnxruntime (it reads the manifest through @argus/manifest), checked in its memory map
 * beside the worker's, which does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ArgusClient } from '@argus/client';
import { JOB_CATALOG, ModelListSchema } from '@argus/contracts';
import { manifestPathFor, readManifest } from '@argus/manifest';
import { REPO_ROOT, startPlatform, type Platform } from './support/platform';

const KEY = 'models-api-key-0123456789';
const manifest = readManifest(manifestPathFor(path.join(REPO_ROOT, 'models')));

/** The shared libraries and native addons a process has mapped (Linux /proc). */
function mappedFiles(pid: number): string[] {
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
  return [
    ...new Set(
      maps
        .split('\n')
        .map((line) => line.split(/\s+/)[5] ?? '')
        .filter(Boolean),
    ),
  ];
}
const onnxruntime = (files: string[]) => files.filter((f) => /onnxruntime/i.test(f));

describe('GET /v1/models', () => {
  let platform: Platform;
  let client: ArgusClient;

  beforeAll(async () => {
    platform = await startPlatform({ workers: 1, env: { API_KEYS: KEY } });
    client = new ArgusClient({ url: platform.url, apiKey: KEY });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('needs the API key like every /v1 route', async () => {
    const res = await fetch(`${platform.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it("lists the manifest's models in order, with labels, input, defaults and where they are loaded", async () => {
    const list = ModelListSchema.parse(await client.models());
    expect(list.models.map((m) => m.id)).toEqual(manifest.models.map((m) => m.id));

    const detect = list.models.find((m) => m.id === 'yolov8n')!;
    expect(detect).toMatchObject({ task: 'detect', default: true, format: 'yolov8' });
    expect(detect.labels.count).toBe(80);
    expect(detect.labels.names.slice(0, 3)).toEqual(['person', 'bicycle', 'car']);
    expect(detect.input).toMatchObject({ layout: 'NCHW', width: 640, height: 640, resize: 'letterbox' });
    const { model: _model, ...detectDefaults } = JOB_CATALOG.detect.optionsSchema.parse({});
    expect(detect.options).toEqual(detectDefaults);
    expect(list.models.find((m) => m.task === 'parse' && m.default)?.options).toMatchObject({
      mode: 'crops',
    });

    // The same states /readyz reports, and the live worker named on every model it loaded.
    const ready = (await (await fetch(`${platform.url}/readyz`)).json()) as {
      modelStatus: { id: string; status: string }[];
      models: string[];
    };
    expect(list.models.map((m) => ({ id: m.id, status: m.status }))).toEqual(
      ready.modelStatus.map((m) => ({ id: m.id, status: m.status })),
    );
    const loaded = list.models.filter((m) => m.status === 'ready');
    expect(loaded.map((m) => m.id).sort()).toEqual([...ready.models].sort());
    expect(loaded.length).toBeGreaterThan(0);
    // Each served model is on the worker either with its session or on demand (first job).
    for (const m of loaded)
      expect({ id: m.id, workers: m.workers.length + m.onDemand.length }).toEqual({ id: m.id, workers: 1 });
    // Models no default needs (int8, BodyPix 0.50) get their session on their first job.
    expect(list.models.find((m) => m.id === 'yolov8n')!.workers).toHaveLength(1);
    expect(list.models.find((m) => m.id === 'yolov8n-int8')!.onDemand).toHaveLength(1);
    for (const m of list.models.filter((x) => x.status !== 'ready'))
      expect([...m.workers, ...m.onDemand]).toEqual([]);
  });

  it('runs a gateway that has not loaded onnxruntime (the worker has)', () => {
    const gateway = platform.gateway!.child.pid!;
    const worker = platform.processes.find((p) => p.name.startsWith('worker'))!.child.pid!;
    expect(onnxruntime(mappedFiles(worker)).length).toBeGreaterThan(0);
    expect(onnxruntime(mappedFiles(gateway))).toEqual([]);
  });
});
