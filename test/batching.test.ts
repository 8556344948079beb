/**
 * Dynamic batching on the real worker, real models and real Redis: jobs submitted together
 * share one model run, yet each gets exactly the answer its image gets alone; a bad image
 * fails alone; the int8 detector (fixed batch of one) never batches; parse crops of several
 * jobs share runs. The delay is generous so that jobs submitted together reliably meet in
 * the batcher on a busy machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DetectOptionsSchema, ParseOptionsSchema } from '@argus/contracts';
import {
  detectImage,
  loadDetectModel,
  loadParseModel,
  manifestPathFor,
  parseImage,
  readManifest,
  type DetectModel,
  type ParseModel,
} from '@argus/models';
import { REPO_ROOT, SHARED, sample, startPlatform, type Platform } from './support/platform';

const MODELS_DIR = path.join(REPO_ROOT, 'models');
const COCO = path.join(SHARED, 'data', 'coco128', 'images', 'train2017');
const LIMITS = { maxPixels: 40_000_000 };

function coco(name: string): { bytes: Buffer; name: string; type: string } {
  const file = path.join(COCO, name);
  if (!fs.existsSync(file)) throw new Error(`test image ${file} is missing (../shared/data/coco128)`);
  return { bytes: fs.readFileSync(file), name, type: 'image/jpeg' };
}

let platform: Platform;
const loaded: { fp32?: DetectModel; int8?: DetectModel; bodypix?: ParseModel } = {};

beforeAll(async () => {
  const manifest = readManifest(manifestPathFor(MODELS_DIR));
  const entry = (id: string) => manifest.models.find((m) => m.id === id)!;
  loaded.fp32 = await loadDetectModel(entry('yolov8n'), MODELS_DIR, { intraOpThreads: 1 });
  loaded.int8 = await loadDetectModel(entry('yolov8n-int8'), MODELS_DIR, { intraOpThreads: 1 });
  loaded.bodypix = await loadParseModel(entry('bodypix-075'), MODELS_DIR, { intraOpThreads: 1 });
  platform = await startPlatform({
    workers: 1,
    workerEnv: {
      WORKER_MODELS: 'yolov8n,yolov8n-int8,bodypix-075',
      WORKER_CONCURRENCY: '16',
      BATCH_MAX_SIZE: '4',
      BATCH_MAX_DELAY_MS: '2000',
      // One instance, so every input waits in the same batcher queue for the same instance.
      MODEL_INSTANCES: '1',
      MODEL_OVERRIDES: 'bodypix-075:maxBatchSize=16;yolov8n-int8:instances=2,intraOpThreads=1',
    },
  });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  for (const model of [loaded.fp32, loaded.int8, loaded.bodypix]) await model?.session.release();
});

/** Submits every image at once, then waits for all the jobs. */
async function submitTogether(
  images: { bytes: Buffer; name: string; type: string }[],
  fields: Record<string, string>,
): Promise<any[]> {
  const submits = await Promise.all(images.map((image) => platform.post('/v1/jobs', image, fields)));
  for (const s of submits) expect(s.status).toBe(202);
  return Promise.all(submits.map((s) => platform.waitForJob(s.body.id, 90_000)));
}

describe('dynamic batching of detection (yolov8n fp32, maxBatchSize 4)', () => {
  it('puts distinct images submitted together in one run and gives each its own detections', async () => {
    const images = [
      sample('bus.jpg'),
      sample('zidane.jpg'),
      coco('000000000009.jpg'),
      coco('000000000025.jpg'),
    ];
    const jobs = await submitTogether(images, { task: 'detect' });
    const options = DetectOptionsSchema.parse({});
    for (const [i, job] of jobs.entries()) {
      expect({ image: images[i].name, status: job.status, error: job.error }).toEqual({
        image: images[i].name,
        status: 'completed',
        error: undefined,
      });
      const alone = await detectImage(loaded.fp32!, images[i].bytes, options, LIMITS);
      expect(alone.count).toBeGreaterThan(0);
      // Batched fp32 runs are bit-identical to runs alone, so the answers match exactly.
      expect({ image: images[i].name, detections: job.result.detections }).toEqual({
        image: images[i].name,
        detections: alone.detections,
      });
      expect(job.result.timings.batchSize).toBeGreaterThan(1);
      for (const key of ['queueWaitMs', 'batchWaitMs', 'preMs', 'decodeMs', 'inferMs', 'postMs']) {
        expect(typeof job.result.timings[key]).toBe('number');
      }
    }
    // Four images, maxBatchSize 4, a 2 s delay: they met in one run of four.
    expect(jobs.map((j) => j.result.timings.batchSize)).toEqual([4, 4, 4, 4]);
  }, 120_000);

  it('fails a truncated JPEG alone with invalid_image while the others of its batch complete', async () => {
    const good = [coco('000000000030.jpg'), coco('000000000034.jpg'), coco('000000000036.jpg')];
    const whole = coco('000000000042.jpg').bytes;
    const truncated = {
      bytes: whole.subarray(0, Math.floor(whole.length / 2)),
      name: 't.jpg',
      type: 'image/jpeg',
    };
    const jobs = await submitTogether([good[0], truncated, good[1], good[2]], { task: 'detect' });
    const [a, bad, b, c] = jobs;
    expect(bad.status).toBe('failed');
    expect(bad.error.code).toBe('invalid_image');
    expect(bad.timings.attempts).toBe(1);
    const options = DetectOptionsSchema.parse({});
    for (const [i, job] of [a, b, c].entries()) {
      expect(job.status).toBe('completed');
      const alone = await detectImage(loaded.fp32!, good[i].bytes, options, LIMITS);
      expect(job.result.detections).toEqual(alone.detections);
      // The three good images still ran together.
      expect(job.result.timings.batchSize).toBe(3);
    }
  }, 120_000);
});

describe('a model with a fixed batch of one (yolov8n-int8, two instances)', () => {
  it('never batches, whatever BATCH_MAX_SIZE says, and answers as it does alone', async () => {
    const images = [coco('000000000049.jpg'), coco('000000000061.jpg'), coco('000000000064.jpg')];
    const jobs = await submitTogether(images, { task: 'detect', model: 'yolov8n-int8' });
    const options = DetectOptionsSchema.parse({ model: 'yolov8n-int8' });
    for (const [i, job] of jobs.entries()) {
      expect(job.status).toBe('completed');
      expect(job.result.model.id).toBe('yolov8n-int8');
      expect(job.result.timings.batchSize).toBe(1);
      const alone = await detectImage(loaded.int8!, images[i].bytes, options, LIMITS);
      expect(job.result.detections).toEqual(alone.detections);
    }
  }, 120_000);
});

describe('parse crops of several jobs batch together (bodypix-075)', () => {
  it('runs the crops of two jobs in shared runs and gives each job its own parse', async () => {
    const bus = sample('bus.jpg');
    // Same photo, two thresholds: two jobs (distinct cache keys) whose crops have the same sizes.
    const thresholds = ['0.5', '0.6'];
    const submits = await Promise.all(
      thresholds.map((threshold) =>
        platform.post('/v1/jobs', bus, { task: 'parse', model: 'bodypix-075', threshold }),
      ),
    );
    for (const s of submits) expect(s.status).toBe(202);
    expect(submits[0].body.id).not.toBe(submits[1].body.id);
    const jobs = await Promise.all(submits.map((s) => platform.waitForJob(s.body.id, 90_000)));

    for (const [i, job] of jobs.entries()) {
      expect(job.status).toBe('completed');
      const options = ParseOptionsSchema.parse({ threshold: Number(thresholds[i]) });
      const alone = await parseImage(
        { parts: loaded.bodypix!, persons: loaded.fp32! },
        bus.bytes,
        options,
        LIMITS,
      );
      expect(alone.result.numPersons).toBeGreaterThan(1);
      expect({
        numPersons: job.result.numPersons,
        persons: job.result.persons,
        partsDetected: job.result.partsDetected,
      }).toEqual({
        numPersons: alone.result.numPersons,
        persons: alone.result.persons,
        partsDetected: alone.result.partsDetected,
      });
      // Alone, the largest run holds this image's crops of one size; batched with the other
      // job it holds both jobs' crops of that size. The detector ran both jobs at once too.
      expect(alone.result.timings.batchSize).toBeGreaterThan(0);
      expect(job.result.timings.batchSize).toBe(2 * alone.result.timings.batchSize);
      expect(job.result.timings.detectBatchSize).toBe(2);
    }
  }, 180_000);
});
