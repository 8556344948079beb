/**
 * Webhook callbacks end to end: a real receiver on 127.0.0.1, the real gateway, worker,
 * Redis and webhooks queue. Backoff is shortened so retries happen within the test.
 */
import sharp from 'sharp';
import { verifyWebhookSignature } from '@argus/webhooks';
import { sample, sleep, startPlatform, type Platform } from './support/platform';
import { freePort } from './support/redis-server';
import { TestReceiver } from './support/receiver';

const SECRET = 'test-secret-0123456789abcdef';
let platform: Platform;
let receiver: TestReceiver;

beforeAll(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  platform = await startPlatform({
    workers: 1,
    env: {
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_BACKOFF_MS: '100',
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_TIMEOUT_MS: '2000',
    },
  });
}, 90_000);

afterAll(async () => {
  await platform?.stop();
  await receiver?.stop();
});

async function deliveries(id: string): Promise<any[]> {
  const res = await platform.get(`/v1/jobs/${id}/deliveries`);
  expect(res.status).toBe(200);
  return res.body.deliveries;
}

async function waitForDeliveryStatus(id: string, status: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await deliveries(id);
    if (list[0]?.status === status) return list[0];
    if (Date.now() > deadline) throw new Error(`delivery of ${id} not ${status}: ${JSON.stringify(list)}`);
    await sleep(100);
  }
}

describe('webhook callbacks', () => {
  it('POSTs a signed completed event that the documented function verifies', async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'detect',
      callbackUrl: `${receiver.url}/ok`,
    });
    expect(submit.status).toBe(202);
    const [req] = await receiver.waitFor('/ok', 1);
    expect(req.headers['x-argus-event']).toBe('completed');
    expect(req.headers['x-argus-delivery']).toMatch(/^dlv_[0-9a-f]{24}$/);
    expect(
      verifyWebhookSignature(
        SECRET,
        req.rawBody,
        req.headers['x-argus-timestamp'] as string,
        req.headers['x-argus-signature'] as string,
      ),
    ).toBe(true);
    expect(
      verifyWebhookSignature(
        'wrong-secret-0123456789',
        req.rawBody,
        req.headers['x-argus-timestamp'] as string,
        req.headers['x-argus-signature'] as string,
      ),
    ).toBe(false);
    expect(req.body).toMatchObject({ event: 'completed', deliveryId: req.headers['x-argus-delivery'] });
    expect(req.body.job).toMatchObject({
      id: submit.body.id,
      task: 'detect',
      status: 'completed',
      md5: submit.body.md5,
    });
    expect(req.body.job.result.detections.length).toBeGreaterThanOrEqual(4);
    expect(req.body.job.createdAt).toBeTruthy();
    expect(req.body.job.finishedAt).toBeTruthy();

    const delivered = await waitForDeliveryStatus(submit.body.id, 'delivered');
    expect(delivered).toMatchObject({
      deliveryId: req.headers['x-argus-delivery'],
      event: 'completed',
      url: `${receiver.url}/ok`,
    });
    expect(delivered.attempts).toHaveLength(1);
    expect(delivered.attempts[0]).toMatchObject({ attempt: 1, statusCode: 200, outcome: 'delivered' });
  });

  it('retries 500, 500 and delivers on the third attempt with the same delivery id', async () => {
    receiver.script('/flaky', [500, 500, 200]);
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      callbackUrl: `${receiver.url}/flaky`,
    });
    const reqs = await receiver.waitFor('/flaky', 3);
    expect(new Set(reqs.map((r) => r.headers['x-argus-delivery'])).size).toBe(1);
    expect(new Set(reqs.map((r) => r.rawBody)).size).toBe(1);
    const delivered = await waitForDeliveryStatus(submit.body.id, 'delivered');
    expect(delivered.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 200]);
    await sleep(500);
    expect(receiver.on('/flaky')).toHaveLength(3);
  });

  it('stops at once on 410 Gone', async () => {
    receiver.script('/gone', [410, 200, 200]);
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      iou: '0.6',
      callbackUrl: `${receiver.url}/gone`,
    });
    const failed = await waitForDeliveryStatus(submit.body.id, 'failed');
    expect(failed.attempts).toHaveLength(1);
    expect(failed.attempts[0]).toMatchObject({ statusCode: 410, outcome: 'gone' });
    await sleep(600);
    expect(receiver.on('/gone')).toHaveLength(1);
  });

  it('keeps retrying a receiver that is down, then keeps the dead letter visible', async () => {
    const port = await freePort();
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      iou: '0.55',
      callbackUrl: `http://127.0.0.1:${port}/down`,
    });
    const dead = await waitForDeliveryStatus(submit.body.id, 'failed', 30_000);
    expect(dead.attempts).toHaveLength(4);
    expect(dead.attempts.every((a: any) => a.statusCode === null && /ECONNREFUSED/.test(a.error))).toBe(true);
    expect(dead.attempts.at(-1).outcome).toBe('dead');
    const times = dead.attempts.map((a: any) => Date.parse(a.at));
    // Exponential backoff: each wait is longer than the one before (100 ms base, ±20 %).
    expect(times[3] - times[2]).toBeGreaterThan(times[1] - times[0]);
  });

  it('delivers a failed event with the error code', async () => {
    const small = await sharp(sample('zidane.jpg').bytes).resize(200).jpeg().toBuffer();
    const submit = await platform.post(
      '/v1/jobs',
      { bytes: small.subarray(0, small.length / 2), name: 't.jpg' },
      { task: 'detect', callbackUrl: `${receiver.url}/failed` },
    );
    const [req] = await receiver.waitFor('/failed', 1);
    expect(req.body.event).toBe('failed');
    expect(req.body.job).toMatchObject({
      id: submit.body.id,
      status: 'failed',
      error: { code: 'invalid_image' },
    });
    expect(req.body.job.result).toBeUndefined();
  });

  it('calls back for a cached result under the new submission id', async () => {
    const first = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'detect', confidence: '0.4' });
    await platform.waitForJob(first.body.id);
    const again = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'detect',
      confidence: '0.4',
      callbackUrl: `${receiver.url}/cached`,
    });
    expect(again.body.cached).toBe(true);
    const [req] = await receiver.waitFor('/cached', 1);
    expect(req.body.job.id).toBe(again.body.id);
    expect(req.body.job.result.detections).toEqual(again.body.result.detections);
  });

  it('sends only the events asked for, and redelivers on request under a new id', async () => {
    const submit = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      iou: '0.4',
      callbackUrl: `${receiver.url}/only-failed`,
      callbackEvents: 'failed',
    });
    await platform.waitForJob(submit.body.id);
    await sleep(500);
    expect(receiver.on('/only-failed')).toHaveLength(0);
    expect(await deliveries(submit.body.id)).toEqual([]);

    const ok = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      iou: '0.35',
      callbackUrl: `${receiver.url}/again`,
    });
    const [first] = await receiver.waitFor('/again', 1);
    const redeliver = await platform.post(`/v1/jobs/${ok.body.id}/deliveries/redeliver`, null);
    expect(redeliver.status).toBe(202);
    expect(redeliver.body.deliveryIds).toHaveLength(1);
    const reqs = await receiver.waitFor('/again', 2);
    expect(reqs[1].headers['x-argus-delivery']).toBe(redeliver.body.deliveryIds[0]);
    expect(reqs[1].headers['x-argus-delivery']).not.toBe(first.headers['x-argus-delivery']);
    expect(reqs[1].body.job.result).toEqual(first.body.job.result);
  });

  it.each([
    ['a loopback name not on the allow list', 'http://localhost:9/hook'],
    ['a private address', 'http://10.0.0.7/hook'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', 'http://[::1]:9/hook'],
    ['a non-http scheme', 'file:///etc/passwd'],
    ['a relative URL', '/hook'],
  ])('refuses %s with 400 invalid_callback_url, nothing queued', async (_name, url) => {
    const res = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'detect', callbackUrl: url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_callback_url');
  });

  it('refuses unknown callbackEvents', async () => {
    const res = await platform.post('/v1/jobs', sample('zidane.jpg'), {
      task: 'detect',
      callbackUrl: `${receiver.url}/x`,
      callbackEvents: 'completed,exploded',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_option');
  });
});
