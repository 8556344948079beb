import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelEntrySchema } from './manifest.schema';
import { sha256File, verifyModelFile } from './install-models';

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

let root: string;
let modelsDir: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-install-'));
  modelsDir = path.join(root, 'models');
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('sha256File', () => {
  it('hashes a file', async () => {
    const file = path.join(root, 'hello.txt');
    fs.writeFileSync(file, 'hello');
    expect(await sha256File(file)).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
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
