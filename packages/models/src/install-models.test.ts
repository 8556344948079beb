import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManifestSchema, ModelEntrySchema, type Manifest } from './manifest.schema';
import { installModels, ModelFileError, sha256File, verifyModelFile } from './install-models';

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
const leftovers = () => (fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir).sort() : []);

describe('sha256File', () => {
  it('hashes a file', async () => {
    const file = path.join(root, 'hello.txt');
    fs.writeFileSync(file, 'hello');
    expect(await sha256File(file)).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });
});

describe('installModels', () => {
  it('copies a file from the mirror and verifies it', async () => {
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), GOOD);
    const reports = await installModels(manifestOf(entry('tiny', 'tiny.onnx', GOOD)), modelsDir, {
      mirrorDir,
    });
    expect(reports).toEqual([{ id: 'tiny', file: path.join(modelsDir, 'tiny.onnx'), action: 'copied' }]);
    expect(fs.readFileSync(path.join(modelsDir, 'tiny.onnx'))).toEqual(GOOD);
    expect(leftovers()).toEqual(['tiny.onnx']);
  });

  it('refuses a mirror file with the wrong sha256 and leaves nothing behind', async () => {
    fs.writeFileSync(path.join(mirrorDir, 'tiny.onnx'), 'corrupted bytes');
    const manifest = manifestOf(entry('tiny', 'tiny.onnx', GOOD));
    const err: unknown = await installModels(manifest, modelsDir, { mirrorDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    const message = (err as Error).message;
    expect(message).toContain(path.join(mirrorDir, 'tiny.onnx'));
    expect(message).toContain(`has sha256 ${sha('corrupted bytes')}, expected ${sha(GOOD)}`);
    expect(leftovers()).toEqual([]);
  });

  it('explains a file that is neither in the mirror nor downloadable', async () => {
    const manifest = manifestOf(entry('tiny', 'tiny.onnx', GOOD));
    await expect(installModels(manifest, modelsDir, { mirrorDir })).rejects.toThrow(
      `model "tiny": tiny.onnx is not in the mirror (${mirrorDir}) and has no download url (test fixture)`,
    );
    await expect(installModels(manifest, modelsDir)).rejects.toThrow('MODEL_MIRROR not set');
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
    expect(reports.map((r) => r.action)).toEqual(['present']);
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
    expect(reports.map((r) => r.action)).toEqual(['copied']);
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
    const err: unknown = await installModels(manifest, modelsDir, { mirrorDir }).catch((e: unknown) => e);
    const lines = (err as Error).message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^model "bad": bad\.onnx from .* has sha256/);
    expect(lines[1]).toMatch(/^model "gone": gone\.onnx is not in the mirror/);
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

describe('verifyModelFile', () => {
  const tiny = entry('tiny', 'tiny.onnx', GOOD);

  it('accepts a file and labels with the right sha256', async () => {
    fs.mkdirSync(modelsDir);
    fs.writeFileSync(path.join(modelsDir, 'tiny.onnx'), GOOD);
    fs.writeFileSync(path.join(modelsDir, 'labels.txt'), LABELS);
    expect(await verifyModelFile(modelsDir, tiny)).toBe(path.join(modelsDir, 'tiny.onnx'));
  });

  it('names a missing file, a wrong sha256 and wrong labels', async () => {
    fs.mkdirSync(modelsDir);
    const target = path.join(modelsDir, 'tiny.onnx');
    await expect(verifyModelFile(modelsDir, tiny)).rejects.toThrow(`${target} is missing`);
    fs.writeFileSync(target, 'tampered');
    await expect(verifyModelFile(modelsDir, tiny)).rejects.toThrow(`${target} has sha256 ${sha('tampered')}`);
    fs.writeFileSync(target, GOOD);
    fs.writeFileSync(path.join(modelsDir, 'labels.txt'), 'person\n');
    await expect(verifyModelFile(modelsDir, tiny)).rejects.toThrow(
      /label file .*labels\.txt is missing or has the wrong sha256/,
    );
  });
});
