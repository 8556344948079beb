/**
 * A models folder (MODELS_DIR) whose only model is a slow YOLOv8-signature detector, so the
 * real worker can be given a job that outlasts its BullMQ lock. The manifest goes through the
 * real schema, so the worker and gateway load it exactly as they load `models/manifest.json`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ManifestSchema, manifestPathFor, type Manifest, type ModelEntry } from '@argus/models';
import { REPO_ROOT } from './platform';
import { buildSlowDetectorModel, type SlowDetectorModelOptions } from './onnx-builder';

export const SLOW_DETECTOR_ID = 'slow-detector';

export interface SlowDetectorModelsDir {
  dir: string;
  manifest: Manifest;
  entry: ModelEntry;
}

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Writes the model, a copy of the COCO labels and a one-model manifest (the default detector) into `dir`. */
export function writeSlowDetectorModelsDir(
  dir: string,
  opts: SlowDetectorModelOptions = {},
): SlowDetectorModelsDir {
  const file = 'slow_detector.onnx';
  const modelFile = path.join(dir, file);
  buildSlowDetectorModel(modelFile, opts);
  const labels = path.join('labels', 'coco80.txt');
  fs.mkdirSync(path.join(dir, 'labels'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'models', labels), path.join(dir, labels));

  const raw = {
    models: [
      {
        id: SLOW_DETECTOR_ID,
        task: 'detect',
        default: true,
        format: 'yolov8',
        file,
        bytes: fs.statSync(modelFile).size,
        sha256: sha256(modelFile),
        url: null,
        source:
          'test/support/onnx-builder.ts buildSlowDetectorModel: a MatMul chain with an all-zero output.',
        license: 'Apache-2.0',
        input: { name: 'images', shape: [1, 3, 640, 640] },
        outputs: { detections: 'output0' },
        batch: { dynamic: false },
        preprocess: { resize: 'letterbox', width: 640, height: 640, pad: 114, scale: 1 / 255, offset: 0 },
        labels: labels.split(path.sep).join('/'),
        labelsSha256: sha256(path.join(dir, labels)),
      },
    ],
  };
  const manifest = ManifestSchema.parse(raw);
  fs.writeFileSync(manifestPathFor(dir), JSON.stringify(raw, null, 2));
  return { dir, manifest, entry: manifest.models[0] };
}
