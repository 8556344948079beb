/**
 * The job catalog's result schemas against what the real pipelines return: the worker stores
 * exactly these objects (plus the timings it adds around them), so a field the pipelines add,
 * drop or rename fails here. Real models from ../shared/models and real photos; nothing is
 * mocked or skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@argus/config';
import {
  DetectOptionsSchema,
  JOB_CATALOG,
  JobViewSchema,
  ParseOptionsSchema,
  SegmentOptionsSchema,
} from '@argus/contracts';
import {
  detectImage,
  directSegmentRunner,
  loadDetectModel,
  loadParseModel,
  loadSegmentModel,
  manifestPathFor,
  parseImage,
  readManifest,
  resolveModel,
  segmentImageWith,
  type DetectModel,
  type ParseModel,
} from '@argus/models';

const MODELS_DIR = path.join(REPO_ROOT, 'models');
const SAMPLES = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'samples');
const LIMITS = { maxPixels: 40_000_000 };
const bus = () => fs.readFileSync(path.join(SAMPLES, 'bus.jpg'));

/** What the worker adds to a pipeline's timings before it stores the result. */
const workerTimings = { queueWaitMs: 3, pixelWaitMs: 0.1, threadWaitMs: 0.2 };

let detector: DetectModel;
let segmenter: DetectModel;
let parser: ParseModel;

beforeAll(async () => {
  const manifest = readManifest(manifestPathFor(MODELS_DIR));
  const opts = { intraOpThreads: 1 };
  detector = await loadDetectModel(resolveModel(manifest, 'detect'), MODELS_DIR, opts);
  segmenter = await loadSegmentModel(resolveModel(manifest, 'segment'), MODELS_DIR, opts);
  parser = await loadParseModel(resolveModel(manifest, 'parse', 'bodypix-075'), MODELS_DIR, opts);
}, 120_000);

afterAll(async () => {
  await detector?.session.release();
  await segmenter?.session.release();
  await parser?.session.release();
});

describe('the job catalog result schemas', () => {
  it('joins a result schema to every task, and a video result to the tasks that take videos', () => {
    for (const def of Object.values(JOB_CATALOG)) expect(def.resultSchema).toBeDefined();
    expect(
      Object.values(JOB_CATALOG)
        .filter((d) => 'videoResultSchema' in d)
        .map((d) => d.task),
    ).toEqual(['detect', 'parse']);
  });

  it('parses a real detection, with every timing the pipeline and the worker report', async () => {
    const result = await detectImage(detector, bus(), DetectOptionsSchema.parse({}), LIMITS);
    const stored = { ...result, timings: { ...result.timings, ...workerTimings } };
    const parsed = JOB_CATALOG.detect.resultSchema.parse(stored);
    expect(parsed.count).toBeGreaterThan(0);
    expect(Object.keys(result.timings).sort()).toEqual(
      ['batchSize', 'batchWaitMs', 'decodeMs', 'inferMs', 'postMs', 'preMs'].sort(),
    );
    // Strict both ways: an unknown field and a missing one are refused.
    expect(JOB_CATALOG.detect.resultSchema.safeParse({ ...result, extra: 1 }).success).toBe(false);
    expect(
      JOB_CATALOG.detect.resultSchema.safeParse({ ...result, timings: { ...result.timings, gpuMs: 1 } })
        .success,
    ).toBe(false);
    const { preMs: _dropped, ...fewer } = result.timings;
    expect(JOB_CATALOG.detect.resultSchema.safeParse({ ...result, timings: fewer }).success).toBe(false);
  });

  it('parses a real segmentation', async () => {
    const options = SegmentOptionsSchema.parse({});
    const { result } = await segmentImageWith(
      segmenter,
      directSegmentRunner(segmenter),
      bus(),
      options,
      LIMITS,
    );
    const parsed = JOB_CATALOG.segment.resultSchema.parse({
      ...result,
      timings: { ...result.timings, ...workerTimings },
    });
    expect(parsed.instances.length).toBeGreaterThan(0);
    const { area: _area, ...noArea } = result.instances[0];
    expect(JOB_CATALOG.segment.resultSchema.safeParse({ ...result, instances: [noArea] }).success).toBe(
      false,
    );
  });

  it('parses a real parse in both modes, keypoints included', async () => {
    for (const mode of ['crops', 'whole'] as const) {
      const options = ParseOptionsSchema.parse({ mode, pose: 'true' });
      const { result } = await parseImage({ parts: parser, persons: detector }, bus(), options, LIMITS);
      const parsed = JOB_CATALOG.parse.resultSchema.parse({
        ...result,
        timings: { ...result.timings, ...workerTimings },
      });
      expect({ mode, persons: parsed.numPersons > 0 }).toEqual({ mode, persons: true });
      expect(parsed.persons[0].keypoints).toHaveLength(17);
      // A job view carrying it validates too (the union picks the parse result).
      const view = {
        id: '2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10',
        task: 'parse',
        status: 'completed',
        progress: { stage: 'done', percent: 100 },
        cached: false,
        md5: '0'.repeat(32),
        model: result.model.id,
        result,
        createdAt: new Date(0).toISOString(),
        finishedAt: new Date(1).toISOString(),
        timings: {},
        links: { self: '/v1/jobs/2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10' },
      };
      expect(JobViewSchema.safeParse(view).success).toBe(true);
      expect(JobViewSchema.safeParse({ ...view, result: { ...result, mode: 'tiles' } }).success).toBe(false);
    }
  });
});
