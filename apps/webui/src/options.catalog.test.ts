import fs from 'node:fs';
import path from 'node:path';
import { DetectOptionsSchema, ParseOptionsSchema, SegmentOptionsSchema } from '@argus/contracts';
import {
  DETECT_DEFAULTS,
  MODELS,
  PARSE_DEFAULTS,
  SEGMENT_DEFAULTS,
  defaultModel,
  submissionFields,
} from './options.catalog';

describe('the WebUI option catalog', () => {
  it('has the job catalog defaults', () => {
    expect(DETECT_DEFAULTS).toEqual(DetectOptionsSchema.parse({}));
    expect(PARSE_DEFAULTS).toEqual(ParseOptionsSchema.parse({}));
    expect(SEGMENT_DEFAULTS).toEqual(SegmentOptionsSchema.parse({}));
  });

  it('lists the models of models/manifest.json with their tasks and defaults', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../../models/manifest.json'), 'utf8'),
    ) as { models: { id: string; task: string; default: boolean }[] };
    const pick = (m: { id: string; task: string; default: boolean }) => ({
      id: m.id,
      task: m.task,
      default: m.default,
    });
    expect(MODELS.map(pick)).toEqual(manifest.models.map(pick));
    expect(defaultModel('detect')).toBe('yolov8n');
    expect(defaultModel('parse')).toBe('bodypix-075-sch');
    expect(defaultModel('segment')).toBe('yolov8n-seg');
  });

  it('sends the task, the model and the main options, and advanced ones only when changed', () => {
    expect(
      submissionFields('detect', { model: 'yolov8n', confidence: '0.4', iou: '0.45', overlay: 'false' }),
    ).toEqual([
      ['task', 'detect'],
      ['model', 'yolov8n'],
      ['confidence', '0.4'],
    ]);
    expect(
      submissionFields('detect', {
        model: '',
        confidence: '0.25',
        iou: '0.5',
        maxDetections: '300',
        overlay: 'true',
      }),
    ).toEqual([
      ['task', 'detect'],
      ['model', 'yolov8n'],
      ['confidence', '0.25'],
      ['iou', '0.5'],
      ['overlay', 'true'],
    ]);
    expect(submissionFields('parse', { model: 'bodypix-050', mode: 'whole', threshold: '0.5' })).toEqual([
      ['task', 'parse'],
      ['model', 'bodypix-050'],
      ['personConfidence', '0.25'],
      ['alpha', '0.5'],
      ['mode', 'whole'],
    ]);
  });

  it('sends segmentation only the options its controls show (the page draws masks itself)', () => {
    const fields = submissionFields('segment', {
      model: '',
      confidence: '0.3',
      iou: '0.5',
      maxDetections: '300',
      overlay: 'false',
    });
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
      submissionFields('parse', { model: 'bodypix-075', alpha: '0.8', maxPersons: '3' }).slice(1),
    );
    expect(ParseOptionsSchema.safeParse(fields).success).toBe(true);
  });
});
