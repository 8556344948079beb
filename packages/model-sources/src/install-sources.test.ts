import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManifestSchema, ModelEntrySchema, type Manifest } from '@argus/models';
import { installModelsFromSources as installModels } from './install-sources';

const sha = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const GOOD = Buffer.from('pretend onnx weights\n');
const LABELS = 'person\nbicycle\n';

function entry(id: string, file: string, content: Buffer, url: string | null = null) {
  return ModelEntrySchema.parse({
    id,
    task: 'detect',
    default: id === 'tiny',
    format: 'yolov8',
    file,
    bytes: content.length,
    sha256: sha(content),
    url,
    source: 'test fixture',
    license: 'none',
    input: { name: 'images', shape: [1, 3, 32, 32] },
    outputs: { detections: 'output0' },
    batch: { dynamic: false },
    preprocess: { resize: 'letterbox', width: 32, height: 32, scale: 1 / 255 },
    labels: 'labels.txt',
    labelsSha256: sha(LABELS),
  });
}

const manifestOf = (...entries: ReturnType<typeof entry>[]): Manifest =>
  ManifestSchema.parse({ models: entries });

let root: string;
let modelsDir: string;
let mirrorDir: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-install-'));
  modelsDir = path.join(root, 'models');
  mirrorDir = path.join(root, 'mirror');
  fs.mkdirSync(mirrorDir);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Everything left in the models folder, partial downloads included. */
const leftovers = () =>
  fs.existsSync(modelsDir)
    ? fs
        .readdirSync(modelsDir)
        .filter((f) => f !== '.sources')
        .sort()
    : [];

describe('installModelsFromSources from a mirror', () => {
  it('copies a file from the mirror and verifies it', async () => {
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), GOOD);
    const reports = await installModels(manifestOf(entry('tiny', 'tiny.onnx', GOOD)), modelsDir, {
      mirrorDir,
    });
    expect(reports).toEqual([
      { id: 'tiny', file: path.join(modelsDir, 'tiny.onnx'), ok: true, action: 'copied' },
    ]);
    expect(fs.readFileSync(path.join(modelsDir, 'tiny.onnx'))).toEqual(GOOD);
    expect(leftovers()).toEqual(['tiny.onnx']);
  });

  it('refuses a mirror file with the wrong sha256 and leaves nothing behind', async () => {
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), 'corrupted bytes');
    const manifest = manifestOf(entry('tiny', 'tiny.onnx', GOOD));
    const [outcome] = await installModels(manifest, modelsDir, { mirrorDir });
    expect(outcome.ok).toBe(false);
    const message = outcome.ok ? '' : outcome.reason;
    expect(message).toContain(path.join(mirrorDir, 'tiny.onnx'));
    expect(message).toContain(`has sha256 ${sha('corrupted bytes')}, the manifest expects ${sha(GOOD)}`);
    expect(leftovers()).toEqual([]);
  });

  it('explains a file that is neither in the mirror nor downloadable', async () => {
    const manifest = manifestOf(entry('tiny', 'tiny.onnx', GOOD));
    expect(await installModels(manifest, modelsDir, { mirrorDir })).toEqual([
      expect.objectContaining({
        ok: false,
        reason: `tiny.onnx is not in the mirror (${mirrorDir}) and has no public source`,
      }),
    ]);
    expect(await installModels(manifest, modelsDir)).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('MODEL_MIRROR not set') as string }),
    ]);
    expect(leftovers()).toEqual([]);
  });

  it('keeps a present file whose sha256 matches, without touching the mirror', async () => {
    fs.mkdirSync(modelsDir);
    const target = path.join(modelsDir, 'tiny.onnx');
    fs.writeFileSync(target, GOOD);
    const before = fs.statSync(target).mtimeMs;
    // A wrong mirror copy proves the installed file was not replaced.
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), 'something else');
    const reports = await installModels(manifestOf(entry('tiny', 'tiny.onnx', GOOD)), modelsDir, {
      mirrorDir,
    });
    expect(reports.map((r) => (r.ok ? r.action : r.reason))).toEqual(['present']);
    expect(fs.readFileSync(target)).toEqual(GOOD);
    expect(fs.statSync(target).mtimeMs).toBe(before);
  });

  it('replaces a present file with the wrong sha256 from the mirror', async () => {
    fs.mkdirSync(modelsDir);
    fs.writeFileSync(path.join(modelsDir, 'tiny.onnx'), 'stale');
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), GOOD);
    const reports = await installModels(manifestOf(entry('tiny', 'tiny.onnx', GOOD)), modelsDir, {
      mirrorDir,
    });
    expect(reports.map((r) => (r.ok ? r.action : r.reason))).toEqual(['copied']);
    expect(fs.readFileSync(path.join(modelsDir, 'tiny.onnx'))).toEqual(GOOD);
  });

  it('installs the good models and lists every failure', async () => {
    const other = Buffer.from('other weights');
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), GOOD);
    fs.writeFileSync(path.join(mirrorDir, 'bad.onnx'), 'not the other weights');
    const manifest = manifestOf(
      entry('tiny', 'tiny.onnx', GOOD),
      entry('bad', 'bad.onnx', other),
      entry('gone', 'gone.onnx', other),
    );
    const outcomes = await installModels(manifest, modelsDir, { mirrorDir });
    expect(outcomes.map((o) => [o.id, o.ok])).toEqual([
      ['tiny', true],
      ['bad', false],
      ['gone', false],
    ]);
    const reasons = outcomes.map((o) => (o.ok ? '' : o.reason));
    expect(reasons[1]).toMatch(/^bad\.onnx from .* has sha256/);
    expect(reasons[2]).toMatch(/^gone\.onnx is not in the mirror/);
    expect(leftovers()).toEqual(['tiny.onnx']);
  });

  it('installs only the requested ids', async () => {
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), GOOD);
    const manifest = manifestOf(
      entry('tiny', 'tiny.onnx', GOOD),
      entry('gone', 'gone.onnx', Buffer.from('x')),
    );
    const reports = await installModels(manifest, modelsDir, { mirrorDir, only: ['tiny'] });
    expect(reports.map((r) => r.id)).toEqual(['tiny']);
  });
});
