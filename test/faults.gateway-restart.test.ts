/**
 * Faults, for real and on loopback: the gateway killed and started again during a run: polling and webhooks go on through
 * the restart; nothing is lost.
 * Every job accepted before a fault must end `completed` (or `failed` with a reason): never
 * lost, never stuck. docs/reliability.md maps each promise to the test that proves it.
 */
import { startPlatform, type Platform } from './support/platform';
import { freePort } from './support/redis-server';
import { TestReceiver } from './support/receiver';
import { WEBHOOKS, DETECT_ONLY, distinctImages, submit, pollThrough, killHard } from './support/faults';

describe('the gateway killed and started again during a run', () => {
  let platform: Platform;
  let receiver: TestReceiver;
  let port: number;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    port = await freePort();
    platform = await startPlatform({
      workers: 1,
      env: { ...WEBHOOKS, ...DETECT_ONLY },
      gatewayEnv: { PORT: String(port) },
      // Two jobs at a time, each batch waiting 1 s to fill: 10 jobs outlast the restart.
      workerEnv: { WORKER_CONCURRENCY: '2', BATCH_MAX_SIZE: '8', BATCH_MAX_DELAY_MS: '1000' },
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
  });

  it('keeps polling and webhooks going through the restart; nothing is lost', async () => {
    const url = platform.url;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const images = await distinctImages(10, 400);
    const ids: string[] = [];
    for (const [i, image] of images.entries()) {
      ids.push(await submit(platform, image, { callbackUrl: `${receiver.url}/gw/${i}` }));
    }
    // Clients keep polling the whole time, through the gap.
    const polled = Promise.all(ids.map((id) => pollThrough(url, id, 90_000)));

    const queue = platform.queue('detect');
    const before = await queue.getJobCounts('completed');
    await queue.close();
    expect(before.completed).toBeLessThan(ids.length - 2);

    const first = platform.gateway!;
    await killHard(first);
    const gap = await fetch(`${url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(gap).toBe('refused');
    await platform.startGateway({ PORT: String(port) });
    expect(platform.url).toBe(url);

    const views = await polled;
    expect(views.map((v) => v.status)).toEqual(ids.map(() => 'completed'));
    for (const [i, id] of ids.entries()) {
      const [req] = await receiver.waitFor(`/gw/${i}`, 1);
      expect(req.body.job).toMatchObject({ id, status: 'completed' });
    }
    // The new gateway takes new work too.
    const after = await submit(platform, (await distinctImages(1, 390))[0]);
    expect((await platform.waitForJob(after)).status).toBe('completed');
  }, 150_000);
});

// ---------------------------------------------------------------------------------------------
