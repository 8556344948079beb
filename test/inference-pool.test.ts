/**
 * The worker's inference pool with its default models (issue 13): the models no default
 * model needs are served but get their sessions on their first job, and the worker says
 * which ones are still waiting for it in its heartbeat.
 */
import { RedisKeys, WorkerRegistry } from '@argus/queue';
import { sample, startPlatform, type Platform } from './support/platform';

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ workers: 1 });
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

async function heartbeat(): Promise<{ models: string[]; modelsOnDemand?: string[] }> {
  const live = await new WorkerRegistry(platform.redis, new RedisKeys(platform.prefix)).live(10_000);
  expect(live).toHaveLength(1);
  return live[0];
}

describe('inference pool, default models', () => {
  it('serves every model but loads yolov8n-int8 only when a job needs it', async () => {
    const before = await heartbeat();
    expect(before.models).toEqual(expect.arrayContaining(['yolov8n', 'yolov8n-int8', 'yolov8n-seg']));
    expect(before.modelsOnDemand).toEqual(expect.arrayContaining(['yolov8n-int8', 'bodypix-050']));
    expect(before.modelsOnDemand).not.toContain('yolov8n');

    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'detect',
      model: 'yolov8n-int8',
    });
    expect(submit.status).toBe(202);
    const job = await platform.waitForJob(submit.body.id);
    expect(job.status).toBe('completed');
    expect(job.result.model.id).toBe('yolov8n-int8');
    const dets = job.result.detections as { label: string; confidence: number }[];
    expect(dets.some((d) => d.label === 'bus' && d.confidence >= 0.5)).toBe(true);

    // The next heartbeat (WORKER_HEARTBEAT_MS) no longer lists it as waiting.
    const deadline = Date.now() + 15_000;
    let after = await heartbeat();
    while (after.modelsOnDemand?.includes('yolov8n-int8') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      after = await heartbeat();
    }
    expect(after.modelsOnDemand).not.toContain('yolov8n-int8');
    expect(after.modelsOnDemand).toContain('bodypix-050');
  }, 60_000);
});
