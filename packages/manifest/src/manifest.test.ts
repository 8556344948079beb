import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@argus/contracts';
import { ManifestSchema } from './manifest.schema';
import { manifestPathFor, readLabels, readManifest, resolveModel } from './manifest';

// The real catalog checked into the repository.
const MODELS_DIR = path.resolve(__dirname, '..', '..', '..', 'models');
const RAW = JSON.parse(fs.readFileSync(manifestPathFor(MODELS_DIR), 'utf8')) as {
  models: Record<string, unknown>[];
};

function appErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  throw new Error('expected an AppError');
}

describe('the real manifest', () => {
  const manifest = readManifest(manifestPathFor(MODELS_DIR));

  it('parses, with one default detect model', () => {
    const detect = manifest.models.filter((m) => m.task === 'detect');
    expect(detect.map((m) => m.id)).toEqual(expect.arrayContaining(['yolov8n', 'yolov8n-int8']));
    expect(detect.filter((m) => m.default).map((m) => m.id)).toEqual(['yolov8n']);
    for (const m of detect) {
      expect(m.preprocess).toMatchObject({ resize: 'letterbox', width: 640, height: 640, pad: 114 });
    }
  });

  it('has labels that match the model head', () => {
    const entry = resolveModel(manifest, 'detect');
    const labels = readLabels(MODELS_DIR, entry);
    expect(labels).toHaveLength(80);
    expect(labels[0]).toBe('person');
    expect(labels[79]).toBe('toothbrush');
  });

  it('resolves the default, a named model, and refuses bad names', () => {
    expect(resolveModel(manifest, 'detect').id).toBe('yolov8n');
    expect(resolveModel(manifest, 'detect', 'yolov8n-int8').file).toBe('yolov8n_int8.onnx');
    expect(appErrorCode(() => resolveModel(manifest, 'detect', 'yolov9-giant'))).toBe('invalid_option');
    // A detect model asked for the parse task.
    expect(appErrorCode(() => resolveModel(manifest, 'parse', 'yolov8n'))).toBe('invalid_option');
  });

  it('refuses a model this server could not install with 400 model_unavailable, naming the others', () => {
    const missing = { yolov8n: 'cannot download …: HTTP 404' };
    const refusal = (requested?: string) => {
      try {
        resolveModel(manifest, 'detect', requested, missing);
      } catch (err) {
        return err as AppError;
      }
      throw new Error('expected an AppError');
    };
    for (const err of [refusal(), refusal('yolov8n')]) {
      expect(err.code).toBe('model_unavailable');
      expect(err.status).toBe(400);
      expect(err.message).toContain('model "yolov8n"');
      expect(err.message).toContain('HTTP 404');
      expect(err.message).toContain('Available for detect: yolov8n-int8');
    }
    expect(refusal().message).toContain('(the detect default)');
    expect(resolveModel(manifest, 'detect', 'yolov8n-int8', missing).id).toBe('yolov8n-int8');
  });

  it('says which models a task accepts', () => {
    try {
      resolveModel(manifest, 'detect', 'nope');
      throw new Error('expected an AppError');
    } catch (err) {
      expect((err as AppError).message).toContain('yolov8n, yolov8n-int8');
      expect((err as AppError).status).toBe(400);
    }
  });
});

describe('ManifestSchema', () => {
  const detect = RAW.models.find((m) => m.id === 'yolov8n')!;

  it('accepts one default per task', () => {
    expect(
      ManifestSchema.safeParse({ models: [detect, { ...detect, id: 'other', default: false }] }).success,
    ).toBe(true);
  });

  it('rejects two defaults for one task', () => {
    const result = ManifestSchema.safeParse({ models: [detect, { ...detect, id: 'other', default: true }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(
      'task "detect" needs exactly one default model, has 2',
    );
  });

  it('rejects a task without a default and duplicate ids', () => {
    expect(ManifestSchema.safeParse({ models: [{ ...detect, default: false }] }).success).toBe(false);
    const dup = ManifestSchema.safeParse({ models: [detect, { ...detect, default: false }] });
    expect(dup.error?.issues.map((i) => i.message)).toContain('duplicate model id "yolov8n"');
  });

  it('rejects a file path that leaves the models folder', () => {
    expect(ManifestSchema.safeParse({ models: [{ ...detect, file: '../evil.onnx' }] }).success).toBe(false);
  });
});

describe('readManifest', () => {
  it('names the file and the bad field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-manifest-'));
    try {
      const file = path.join(dir, 'manifest.json');
      fs.writeFileSync(file, JSON.stringify({ models: [{ ...RAW.models[0], sha256: 'xyz' }] }));
      expect(() => readManifest(file)).toThrow(
        new RegExp(`invalid model manifest ${file}: models\\.0\\.sha256`),
      );
      fs.writeFileSync(file, '{ not json');
      expect(() => readManifest(file)).toThrow(`cannot read model manifest ${file}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
