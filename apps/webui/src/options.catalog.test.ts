import fs from 'node:fs';
import path from 'node:path';
import { DetectOptionsSchema, ParseOptionsSchema, SegmentOptionsSchema } from '@argus/contracts';
import { readManifest, manifestPathFor } from '@argus/manifest';
import {
  DETECT_DEFAULTS,
  PARSE_DEFAULTS,
  SEGMENT_DEFAULTS,
  defaultModel,
  modelsFor,
  submissionFields,
} from './options.catalog';

/** The models as `/readyz` lists them: the manifest's, in its order. */
const MODELS = readManifest(manifestPathFor(path.resolve(__dirname, '../../../models'))).models.map((m) => ({
  id: m.id,
  task: m.task,
  default: m.default,
}));

describe('the WebUI option catalog', () => {
  it('has the job catalog defaults', () => {
    expect(DETECT_DEFAULTS).toEqual(DetectOptionsSchema.parse({}));
    expect(Object.keys(DETECT_DEFAULTS)).toEqual(['confidence', 'iou', 'maxDetections', 'overlay']);
    expect(PARSE_DEFAULTS).toEqual(ParseOptionsSchema.parse({}));
    expect(SEGMENT_DEFAULTS).toEqual(SegmentOptionsSchema.parse({}));
  });

  it("offers the server's models per task in its order (the manifest's), and its defaults", () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../../models/manifest.json'), 'utf8'),
    ) as { models: { id: string; task: string }[] };
    for (const task of ['detect', 'parse', 'segment'] as const)
      expect(modelsFor(MODELS, task).map((m) => m.id)).toEqual(
        manifest.models.filter((m) => m.task === task).map((m) => m.id),
      );
    expect(defaultModel(MODELS, 'detect')).toBe('yolov8n');
    expect(defaultModel(MODELS, 'parse')).toBe('bodypix-075-sch');
    expect(defaultModel(MODELS, 'segment')).toBe('yolov8n-seg');
    // Before the server answered, no model is named: the API picks the task's default.
    expect(defaultModel([], 'detect')).toBe('');
  });

  it('sends the task, the model and the main options, and advanced ones only when changed', () => {
    expect(
      submissionFields(
        'detect',
        { model: 'yolov8n', confidence: '0.4', iou: '0.45', overlay: 'false' },
        MODELS,
      ),
    ).toEqual([
      ['task', 'detect'],
      ['model', 'yolov8n'],
      ['confidence', '0.4'],
    ]);
    expect(
      submissionFields(
        'detect',
        {
          model: '',
          confidence: '0.25',
          iou: '0.5',
          maxDetections: '300',
          overlay: 'true',
        },
        MODELS,
      ),
    ).toEqual([
      ['task', 'detect'],
      ['model', 'yolov8n'],
      ['confidence', '0.25'],
      ['iou', '0.5'],
      ['overlay', 'true'],
    ]);
    expect(
      submissionFields('parse', { model: 'bodypix-050', mode: 'whole', threshold: '0.5' }, MODELS),
    ).toEqual([
      ['task', 'parse'],
      ['model', 'bodypix-050'],
      ['personConfidence', '0.25'],
      ['alpha', '0.5'],
      ['mode', 'whole'],
    ]);
  });

  it('sends segmentation only the options its controls show (the page draws masks itself)', () => {
    const fields = submissionFields(
      'segment',
      {
        model: '',
        confidence: '0.3',
        iou: '0.5',
        maxDetections: '300',
        overlay: 'false',
      },
      MODELS,
    );
    expect(fields).toEqual([
      ['task', 'segment'],
      ['model', 'yolov8n-seg'],
      ['confidence', '0.3'],
      ['iou', '0.5'],
    ]);
    expect(SegmentOptionsSchema.safeParse(Object.fromEntries(fields.slice(1))).success).toBe(true);
  });

  it('sends fields the API accepts', () => {
    const fields = Object.fromEntries(
      submissionFields('parse', { model: 'bodypix-075', alpha: '0.8', maxPersons: '3' }, MODELS).slice(1),
    );
    expect(ParseOptionsSchema.safeParse(fields).success).toBe(true);
  });
});
