import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BODYPIX_TO_LIP20, LIP20_LABELS } from '@argus/vision';
import { buildSchpLikeModel } from '../../../test/support/onnx-builder';
import { ModelEntrySchema, type ModelEntry } from './manifest.schema';
import { labelMapFor, loadParseModel } from './parse.model';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const REPO_LABELS = path.resolve(__dirname, '..', '..', '..', 'models', 'labels');

let dir: string;
let entry: ModelEntry;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-parse-model-'));
  fs.mkdirSync(path.join(dir, 'labels'));
  fs.copyFileSync(path.join(REPO_LABELS, 'lip20.txt'), path.join(dir, 'labels', 'lip20.txt'));
  const file = path.join(dir, 'schp_like.onnx');
  buildSchpLikeModel(file);
  entry = ModelEntrySchema.parse({
    id: 'schp-like',
    task: 'parse',
    format: 'schp',
    file: 'schp_like.onnx',
    bytes: fs.statSync(file).size,
    sha256: sha256(file),
    url: null,
    source: 'test/support/onnx-builder.ts',
    license: 'test',
    input: { name: 'input.1', shape: [1, 3, 473, 473] },
    outputs: { logits: 'fusion' },
    batch: { dynamic: false },
    preprocess: { resize: 'letterbox', width: 473, height: 473, pad: 0, scale: 1 / 255, channelOrder: 'bgr' },
    labels: 'labels/lip20.txt',
    labelsSha256: sha256(path.join(dir, 'labels', 'lip20.txt')),
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('labelMapFor', () => {
  it('maps BodyPix parts through BODYPIX_TO_LIP20 and LIP-named classes by name', () => {
    const bodypix = { ...entry, id: 'bp', format: 'bodypix' as const };
    const parts = fs
      .readFileSync(path.join(REPO_LABELS, 'bodypix24.txt'), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(Array.from(labelMapFor(bodypix, parts))).toEqual(BODYPIX_TO_LIP20);
    expect(Array.from(labelMapFor(entry, LIP20_LABELS))).toEqual(LIP20_LABELS.map((_, i) => i));
  });

  it('refuses label files that do not fit the format', () => {
    const bodypix = { ...entry, id: 'bp', format: 'bodypix' as const };
    expect(() => labelMapFor(bodypix, LIP20_LABELS)).toThrow('must list the 24 BodyPix parts');
    expect(() => labelMapFor(entry, ['Face', 'Background'])).toThrow(
      'class 0 and only class 0 must be Background',
    );
    expect(() => labelMapFor(entry, ['Background', 'Belt'])).toThrow('class "Belt" has no LIP counterpart');
  });
});

describe('loadParseModel', () => {
  it('loads a verified model and its LIP table', async () => {
    const model = await loadParseModel(entry, dir, { intraOpThreads: 1 });
    expect(model.labels).toEqual([...LIP20_LABELS]);
    expect(model.classToLabel).toHaveLength(20);
    await model.session.release();
  });

  it('names a missing output', async () => {
    await expect(
      loadParseModel({ ...entry, outputs: { logits: 'output' } }, dir, { intraOpThreads: 1 }),
    ).rejects.toThrow(
      'model "schp-like" (schp_like.onnx) has no output "output" for outputs.logits (outputs: parsing, fusion, edge)',
    );
  });

  it('refuses a file whose sha256 differs and a model of another task', async () => {
    await expect(
      loadParseModel({ ...entry, sha256: 'f'.repeat(64) }, dir, { intraOpThreads: 1 }),
    ).rejects.toThrow(/has sha256 [0-9a-f]{64}, the manifest expects f{64}/);
    await expect(
      loadParseModel({ ...entry, task: 'detect', format: 'yolov8' }, dir, { intraOpThreads: 1 }),
    ).rejects.toThrow('is not a parse model');
  });
});
