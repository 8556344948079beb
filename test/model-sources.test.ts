/**
 * `npm run models` against a real local HTTP server standing in for the public hosts
 * (apps/tools/src/sources/source-server.ts serves the staged originals with Range support):
 * every default model is downloaded and converted to the manifest's sha256; a connection cut
 * half-way is resumed; wrong bytes and a host that keeps failing put nothing in place; the
 * mirror short-circuits all of it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { manifestPathFor, readManifest, sha256File, type Manifest } from '@argus/models';
import { installModelsFromSources, type InstallOutcome } from '@argus/model-sources';
import { startSourceServer, type SourceServer } from '../apps/tools/src/sources/source-server';
import { REPO_ROOT, SHARED } from './support/platform';

const STAGED = path.join(SHARED, 'models');
const manifest: Manifest = readManifest(manifestPathFor(path.join(REPO_ROOT, 'models')));
const GCS = 'https://storage.googleapis.com/tfjs-models/savedmodel/bodypix/mobilenet/';
const SHARD_075 = `${GCS}quant2/075/group1-shard1of1.bin`;
const JSON_050 = `${GCS}float/050/model-stride16.json`;
const INT8 = manifest.models.find((m) => m.id === 'yolov8n-int8')?.url ?? '';
const fast = { attempts: 3, backoffMs: 10, idleTimeoutMs: 10_000 };

let server: SourceServer;
let dirs: string[] = [];

/** A models folder holding only the manifest and labels, as on a fresh clone. */
function freshModelsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-models-'));
  dirs.push(dir);
  fs.copyFileSync(path.join(REPO_ROOT, 'models/manifest.json'), path.join(dir, 'manifest.json'));
  fs.cpSync(path.join(REPO_ROOT, 'models/labels'), path.join(dir, 'labels'), { recursive: true });
  return dir;
}

const install = (dir: string, extra: Parameters<typeof installModelsFromSources>[2] = {}) =>
  installModelsFromSources(manifest, dir, {
    urlMap: server.urlMap.split(',').map((p) => p.split('=', 2) as [string, string]),
    download: fast,
    ...extra,
  });

const byId = (outcomes: InstallOutcome[]) => Object.fromEntries(outcomes.map((o) => [o.id, o]));
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => /partial|incoming|\.part$/.test(f));

beforeAll(async () => {
  if (!fs.existsSync(path.join(STAGED, 'source/bodypix'))) {
    throw new Error(`${STAGED}/source is missing: this test serves the staged originals`);
  }
  server = await startSourceServer(STAGED);
});
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
  server.requests.length = 0;
  for (const url of [SHARD_075, JSON_050, INT8]) server.setFault(url, undefined);
});
afterAll(() => server.close());

describe('installing from the public sources (a local stand-in server)', () => {
  it('downloads and converts every default model to the manifest sha256', async () => {
    const dir = freshModelsDir();
    const outcomes = byId(await install(dir));
    expect(outcomes.yolov8n).toMatchObject({ ok: true, action: 'converted' });
    expect(outcomes['yolov8n-int8']).toMatchObject({ ok: true, action: 'downloaded' });
    expect(outcomes['bodypix-075']).toMatchObject({ ok: true, action: 'converted' });
    expect(outcomes['bodypix-050']).toMatchObject({ ok: true, action: 'converted' });
    for (const entry of manifest.models) {
      expect(await sha256File(path.join(dir, entry.file))).toBe(entry.sha256);
    }
    // The int8 file is fetched once: the fold and the as-is model share the cache.
    expect(server.requests.filter((r) => r.path.endsWith('yolov8n_int8.onnx'))).toHaveLength(1);
    // A second run finds every file in place and asks the server nothing.
    server.requests.length = 0;
    expect((await install(dir)).every((o) => o.ok && o.action === 'present')).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('resumes a download whose connection drops half-way (Range request)', async () => {
    server.setFault(SHARD_075, 'drop-half');
    const dir = freshModelsDir();
    const outcomes = byId(await install(dir, { only: ['bodypix-075'] }));
    expect(outcomes['bodypix-075']).toMatchObject({ ok: true, action: 'converted' });
    const shardRequests = server.requests.filter((r) => r.path.endsWith('quant2/075/group1-shard1of1.bin'));
    expect(shardRequests.length).toBe(2);
    expect(shardRequests[0].range).toBeUndefined();
    expect(shardRequests[1].range).toBe(`bytes=${Math.floor(2598784 / 2)}-`);
  });

  it('puts nothing in place when a source keeps failing, and installs the others', async () => {
    server.setFault(INT8, 'drop-half-always');
    const dir = freshModelsDir();
    const outcomes = byId(await install(dir));
    for (const id of ['yolov8n', 'yolov8n-int8']) {
      expect(outcomes[id].ok).toBe(false);
      expect(outcomes[id]).toMatchObject({
        reason: expect.stringMatching(/closed.*\(3 attempts\)/) as string,
      });
    }
    expect(fs.existsSync(path.join(dir, 'yolov8n_fp32.onnx'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'yolov8n_int8.onnx'))).toBe(false);
    expect(outcomes['bodypix-075'].ok && outcomes['bodypix-050'].ok).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses wrong bytes: the model is not put in place and the bad download is deleted', async () => {
    server.setFault(JSON_050, 'wrong-bytes');
    const dir = freshModelsDir();
    const outcomes = byId(await install(dir, { only: ['bodypix-050'] }));
    expect(outcomes['bodypix-050']).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /sha256 [0-9a-f]{64}, which is not an accepted digest of model-stride16\.json/,
      ) as string,
    });
    expect(fs.existsSync(path.join(dir, 'bodypix_mobilenetv1_050_stride16_dyn.onnx'))).toBe(false);
    expect(
      fs.readdirSync(path.join(dir, '.sources')).filter((f) => f.endsWith('model-stride16.json')),
    ).toEqual([]);
    // Fixed at the source, the next run succeeds.
    server.setFault(JSON_050, undefined);
    expect(byId(await install(dir, { only: ['bodypix-050'] }))['bodypix-050'].ok).toBe(true);
  });

  it('copies from MODEL_MIRROR without asking the public hosts anything', async () => {
    const dir = freshModelsDir();
    const outcomes = await install(dir, { mirrorDir: STAGED });
    expect(outcomes.every((o) => o.ok && o.action === 'copied')).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('`npm run models` (the CLI) reports each model and exits 1 when one is missing', async () => {
    server.setFault(JSON_050, 'missing');
    const dir = freshModelsDir();
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps/tools/dist/install-models.js')], {
        env: { ...process.env, MODELS_DIR: dir, MODEL_MIRROR: '', MODEL_URL_MAP: server.urlMap },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/converted\s+yolov8n\s/);
    expect(run.out).toMatch(/downloaded\s+yolov8n-int8\s/);
    expect(run.out).toMatch(/converted\s+bodypix-075\s/);
    expect(run.out).toMatch(/missing\s+bodypix-050\s+cannot download .*HTTP 404/);
    expect(fs.existsSync(path.join(dir, 'bodypix_mobilenetv1_050_stride16_dyn.onnx'))).toBe(false);
  }, 120_000);
});
