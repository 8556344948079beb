/**
 * Faults, for real and on loopback: a worker SIGKILLed in the middle of a batch: its jobs move to another worker (one
 * delivery id per webhook), and a job that kills every worker fails with a reason.
 * Every job accepted before a fault must end `completed` (or `failed` with a reason): never
 * lost, never stuck. docs/reliability.md maps each promise to the test that proves it.
 */
import { startPlatform, type Platform } from './support/platform';
import { TestReceiver } from './support/receiver';
import { WEBHOOKS, DETECT_ONLY, distinctImages, submit, killHard, waitUntil } from './support/faults';

describe('a worker SIGKILLed in the middle of a batch', () => {
  let platform: Platform;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    // Short locks so stalled-job recovery happens within the test (defaults: 30 s).
    platform = await startPlatform({
      workers: 0,
      waitReady: false,
      env: { ...WEBHOOKS, ...DETECT_ONLY, LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000' },
    });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
  });

  it('hands its jobs to another worker, which completes them; each webhook keeps one delivery id', async () => {
    // Worker A holds up to 4 jobs in one partial batch for 10 s (batch of 8, 10 s delay), so
    // the kill lands while they are active and inside the batcher.
    const a = platform.startWorker(
      { WORKER_CONCURRENCY: '4', BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '10000' },
      'worker-a',
    );
    await platform.waitForWorkerReady(a);

    const images = await distinctImages(6);
    const ids: string[] = [];
    for (const [i, image] of images.entries()) {
      ids.push(await submit(platform, image, { callbackUrl: `${receiver.url}/kill/${i}` }));
    }
    const queue = platform.queue('detect');
    try {
      await waitUntil('4 jobs active on worker A', 20_000, async () => (await queue.getActiveCount()) === 4);
      const active = (await queue.getActive()).map((j) => String(j.id));
      expect(receiver.requests).toHaveLength(0);

      await killHard(a);
      expect(a.child.signalCode).toBe('SIGKILL');

      const b = platform.startWorker({}, 'worker-b');
      await platform.waitForWorkerReady(b);
      const views = await Promise.all(ids.map((id) => platform.waitForJob(id, 60_000)));
      expect(views.map((v) => v.status)).toEqual(ids.map(() => 'completed'));
      for (const view of views) expect(view.result.detections.length).toBeGreaterThan(0);

      // The jobs A held went through BullMQ's stalled-job recovery, then B ran them.
      for (const id of active) {
        const job = (await queue.getJob(id))!;
        expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
      }
      expect(b.output.join('')).toMatch(/job stalled; it will be retried/);

      // At least once, and every delivery of a job carries that job's one delivery id.
      for (const [i, id] of ids.entries()) {
        const got = await receiver.waitFor(`/kill/${i}`, 1);
        const deliveryIds = new Set(got.map((r) => r.headers['x-argus-delivery']));
        expect(deliveryIds.size).toBe(1);
        expect(got[0].body.job).toMatchObject({ id, status: 'completed' });
        const listed = (await platform.get(`/v1/jobs/${id}/deliveries`)).body.deliveries;
        expect(listed.map((d: any) => d.deliveryId)).toEqual([...deliveryIds]);
      }
      await killHard(b);
    } finally {
      await queue.close();
    }
  }, 120_000);

  it('fails a job that takes its worker down on every attempt, with a reason, instead of leaving it stuck', async () => {
    // A poison job: each worker that takes it dies (SIGKILL while it holds the job). After
    // maxStalledCount (2) recoveries, the third stall fails it and a `failed` webhook goes out.
    const [image] = await distinctImages(1, 272);
    const id = await submit(platform, image, { callbackUrl: `${receiver.url}/poison` });
    const queue = platform.queue('detect');
    try {
      for (let attempt = 1; attempt <= 3; attempt++) {
        const w = platform.startWorker(
          { WORKER_CONCURRENCY: '4', BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '10000' },
          `worker-poison-${attempt}`,
        );
        await platform.waitForWorkerReady(w);
        // Taken by this worker: the previous worker's stale `active` entry does not count, so
        // wait for this run to be counted as a started attempt.
        await waitUntil(`the job taken by worker ${attempt}`, 20_000, async () => {
          const job = await queue.getJob(id);
          return job?.attemptsStarted === attempt && (await job.getState()) === 'active';
        });
        await killHard(w);
      }
      const last = platform.startWorker({}, 'worker-after-poison');
      await platform.waitForWorkerReady(last);
      const view = await platform.waitForJob(id, 30_000);
      expect(view.status).toBe('failed');
      expect(view.error.message).toMatch(/stalled more than allowable limit/);
      const [req] = await receiver.waitFor('/poison', 1);
      expect(req.body).toMatchObject({ event: 'failed', job: { id, status: 'failed' } });
      await killHard(last);
    } finally {
      await queue.close();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
