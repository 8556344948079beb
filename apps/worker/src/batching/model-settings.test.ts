import { loadConfig } from '@argus/config';
import { concurrencyToFillBatches, resolveModelServing, resolveServing } from './model-settings';

const dynamic = { id: 'yolov8n', batch: { dynamic: true } };
const fixed = { id: 'yolov8n-int8', batch: { dynamic: false } };
const config = (env: Record<string, string> = {}) => loadConfig(env);

describe('resolveModelServing', () => {
  it('by default runs two single-threaded instances on 2 cores, batches up to 4, never waits', () => {
    expect(resolveModelServing(dynamic, config(), 2)).toEqual({
      maxBatchSize: 4,
      maxQueueDelayMs: 0,
      preferredBatchSizes: [],
      instances: 2,
      intraOpThreads: 1,
    });
  });

  it('takes the global knobs, with threads shared by the instances of the model', () => {
    const c = config({ BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '20', MODEL_INSTANCES: '2' });
    expect(resolveModelServing(dynamic, c, 4)).toEqual({
      maxBatchSize: 8,
      maxQueueDelayMs: 20,
      preferredBatchSizes: [],
      instances: 2,
      intraOpThreads: 2,
    });
    expect(resolveModelServing(dynamic, config({ MODEL_INSTANCES: '4' }), 2).intraOpThreads).toBe(1);
    expect(resolveModelServing(dynamic, config({ INTRA_OP_THREADS: '3' }), 2).intraOpThreads).toBe(3);
  });

  it('applies MODEL_OVERRIDES over the globals, per model', () => {
    const c = config({
      BATCH_MAX_SIZE: '2',
      BATCH_PREFERRED_SIZES: '2',
      MODEL_OVERRIDES:
        'yolov8n:maxBatchSize=8,maxQueueDelayMs=0,preferredBatchSizes=4|8,instances=1,intraOpThreads=2',
    });
    expect(resolveModelServing(dynamic, c, 2)).toEqual({
      maxBatchSize: 8,
      maxQueueDelayMs: 0,
      preferredBatchSizes: [4, 8],
      instances: 1,
      intraOpThreads: 2,
    });
  });

  it('drops global preferred sizes a model cannot form, but refuses them in its own override', () => {
    const c = config({ BATCH_MAX_SIZE: '4', BATCH_PREFERRED_SIZES: '2,8' });
    expect(resolveModelServing(dynamic, c, 2).preferredBatchSizes).toEqual([2]);
    const bad = config({ MODEL_OVERRIDES: 'yolov8n:maxBatchSize=4,preferredBatchSizes=8' });
    expect(() => resolveModelServing(dynamic, bad, 2)).toThrow(/preferred batch size 8 .* maxBatchSize 4/);
  });

  it('runs a fixed-batch model at batch 1 whatever the globals say; instances still apply', () => {
    const c = config({
      BATCH_MAX_SIZE: '8',
      BATCH_PREFERRED_SIZES: '4',
      MODEL_OVERRIDES: 'yolov8n-int8:instances=2',
    });
    expect(resolveModelServing(fixed, c, 2)).toEqual({
      maxBatchSize: 1,
      maxQueueDelayMs: 0,
      preferredBatchSizes: [],
      instances: 2,
      intraOpThreads: 1,
    });
    const asked = config({ MODEL_OVERRIDES: 'yolov8n-int8:maxBatchSize=4' });
    expect(() => resolveModelServing(fixed, asked, 2)).toThrow(/fixed batch of 1/);
  });
});

describe('resolveServing', () => {
  const manifest = {
    models: [
      { ...dynamic, task: 'detect' },
      { ...fixed, task: 'detect' },
    ],
  } as never;

  it('resolves every loaded model and refuses overrides of unknown models', () => {
    const serving = resolveServing(manifest, ['yolov8n', 'yolov8n-int8'], config({ BATCH_MAX_SIZE: '4' }), 2);
    expect(Object.keys(serving)).toEqual(['yolov8n', 'yolov8n-int8']);
    expect(concurrencyToFillBatches(serving)).toBe(4);
    const many = resolveServing(manifest, ['yolov8n-int8'], config({ MODEL_INSTANCES: '6' }), 2);
    expect(concurrencyToFillBatches(many)).toBe(6);
    expect(() =>
      resolveServing(manifest, ['yolov8n'], config({ MODEL_OVERRIDES: 'yolo:instances=2' }), 2),
    ).toThrow(/unknown model\(s\) yolo/);
  });
});

describe('MODEL_OVERRIDES parsing (loadConfig)', () => {
  it('lists every malformed entry', () => {
    expect(() =>
      config({ MODEL_OVERRIDES: 'yolov8n:maxBatchSize=0,colour=red;bodypix-075:instances=x;nocolon' }),
    ).toThrow(/maxBatchSize=0[\s\S]*unknown key "colour"[\s\S]*instances=x[\s\S]*"nocolon"/);
  });

  it('reads several models and merges repeated ones', () => {
    const c = config({
      MODEL_OVERRIDES: ' yolov8n : maxBatchSize = 8 ; yolov8n:instances=2;bodypix-075:maxQueueDelayMs=0',
    });
    expect(c.MODEL_OVERRIDES).toEqual({
      yolov8n: { maxBatchSize: 8, instances: 2 },
      'bodypix-075': { maxQueueDelayMs: 0 },
    });
    expect(config().MODEL_OVERRIDES).toEqual({});
    expect(config({ BATCH_PREFERRED_SIZES: '4, 2,4' }).BATCH_PREFERRED_SIZES).toEqual([2, 4]);
    expect(() => config({ BATCH_PREFERRED_SIZES: '2,x' })).toThrow(/BATCH_PREFERRED_SIZES/);
  });
});
