/**
 * Security review, findings 4, 5 and 6: jobs, cancels, deliveries and Idempotency-Keys
 * belong to the key that created them (an admin key sees all); redelivery is rate-limited
 * per job and its log is paged; ids are validated before they reach Redis. Real gateway
 * and Redis, no worker (jobs stay queued, which is all these checks need).
 */
import sharp from 'sharp';
import { ApiKeyStore, RedisKeys } from '@argus/queue';
import { startPlatform, type Platform } from './support/platform';

async function png(seed: number): Promise<Buffer> {
  return sharp({
    create: { width: 24, height: 16, channels: 3, background: { r: seed, g: 3, b: 200 - seed } },
  })
    .png()
    .toBuffer();
}

describe('isolation between API keys', () => {
  let platform: Platform;
  let a: string;
  let b: string;
  let admin: string;

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 0,
      env: {
        API_KEYS: 'bootstrap-key-0123456789',
        RATE_LIMIT_PER_MINUTE: '0',
        DAILY_JOB_QUOTA: '0',
        WEBHOOK_SECRET: 'isolation-secret-0123456789',
        WEBHOOK_ALLOW_PRIVATE: 'true',
      },
    });
    const store = new ApiKeyStore(platform.redis, new RedisKeys(platform.prefix));
    a = (await store.create('tenant-a')).key;
    b = (await store.create('tenant-b')).key;
    admin = (await store.create('operator', { role: 'admin' })).key;
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const call = async (method: string, path: string, key: string, form?: FormData, headers = {}) => {
    const res = await fetch(`${platform.url}${path}`, {
      method,
      body: form,
      headers: { Authorization: `Bearer ${key}`, ...headers },
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  const jobForm = async (seed: number, fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.append('task', 'detect');
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('image', new Blob([new Uint8Array(await png(seed))], { type: 'image/png' }), 'x.png');
    return form;
  };

  it('gives each key its own job for the same bytes, and hides it from the other key', async () => {
    const callbackUrl = 'http://127.0.0.1:9/hooks/a?token=secret-of-a';
    const fromA = await call(
      'POST',
      '/v1/jobs',
      a,
      await jobForm(1, { callbackUrl, callbackEvents: 'canceled' }),
      {
        'Idempotency-Key': 'order-1',
      },
    );
    expect(fromA.status).toBe(202);
    const idA = fromA.body.id as string;

    const fromB = await call('POST', '/v1/jobs', b, await jobForm(1));
    expect(fromB.status).toBe(202);
    expect(fromB.body.id).not.toBe(idA);

    expect((await call('GET', `/v1/jobs/${idA}`, b)).status).toBe(404);
    expect((await call('GET', `/v1/jobs/${idA}/deliveries`, b)).status).toBe(404);
    expect((await call('POST', `/v1/jobs/${idA}/deliveries/redeliver`, b)).status).toBe(404);
    expect((await call('DELETE', `/v1/jobs/${idA}`, b)).status).toBe(404);
    expect((await call('GET', `/v1/jobs/${fromB.body.id}`, a)).status).toBe(404);

    const own = await call('GET', `/v1/jobs/${idA}`, a);
    expect(own.status).toBe(200);
    expect(own.body.status).toBe('queued');
    expect((await call('GET', `/v1/jobs/${idA}`, admin)).status).toBe(200);
    expect((await call('GET', `/v1/jobs/${fromB.body.id}`, admin)).status).toBe(200);

    // Idempotency-Keys are per API key: B's "order-1" is not A's.
    const bOrder = await call('POST', '/v1/jobs', b, await jobForm(2), { 'Idempotency-Key': 'order-1' });
    expect(bOrder.status).toBe(202);
    expect(bOrder.body.id).not.toBe(idA);
    const aReplay = await call(
      'POST',
      '/v1/jobs',
      a,
      await jobForm(1, { callbackUrl, callbackEvents: 'canceled' }),
      {
        'Idempotency-Key': 'order-1',
      },
    );
    expect(aReplay.body.id).toBe(idA);
  });

  it('rate-limits redelivery per job and pages the delivery log', async () => {
    const submitted = await call(
      'POST',
      '/v1/jobs',
      a,
      await jobForm(30, { callbackUrl: 'http://127.0.0.1:9/hooks/r', callbackEvents: 'canceled' }),
    );
    const id = submitted.body.id as string;
    expect((await call('DELETE', `/v1/jobs/${id}`, a)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call('POST', `/v1/jobs/${id}/deliveries/redeliver`, a);
      statuses.push(res.status);
      if (res.status === 429) expect(res.body.error.code).toBe('rate_limited');
    }
    const accepted = statuses.filter((s) => s === 202).length;
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(accepted).toBeLessThanOrEqual(5);
    expect(statuses).toContain(429);

    const first = await call('GET', `/v1/jobs/${id}/deliveries?limit=1`, a);
    expect(first.status).toBe(200);
    expect(first.body.deliveries).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call('GET', `/v1/jobs/${id}/deliveries?limit=1&cursor=${first.body.nextCursor}`, a);
    expect(second.body.deliveries).toHaveLength(1);
    expect(second.body.deliveries[0].deliveryId).not.toBe(first.body.deliveries[0].deliveryId);
    const all = await call('GET', `/v1/jobs/${id}/deliveries`, a);
    expect(all.body.deliveries).toHaveLength(1 + accepted);
    expect(all.body.dropped).toEqual({ deliveries: 0, attempts: 0 });
  });

  it('validates job ids before they reach Redis: DELETE /v1/jobs/meta does not touch the queue', async () => {
    const queue = platform.queue('detect');
    await queue.pause();
    try {
      for (const word of ['meta', 'id', 'events', 'wait', 'paused', 'stalled-check', 'x'.repeat(36)]) {
        const del = await call('DELETE', `/v1/jobs/${word}`, admin);
        expect([word, del.status, del.body.error?.code]).toEqual([word, 404, 'not_found']);
        expect((await call('GET', `/v1/jobs/${word}/deliveries`, admin)).status).toBe(404);
        expect((await call('POST', `/v1/jobs/${word}/deliveries/redeliver`, admin)).status).toBe(404);
      }
      expect(await queue.isPaused()).toBe(true);
      expect(await platform.redis.exists(`${platform.prefix}:job-record:meta`)).toBe(0);
      expect(platform.gateway!.output.join('')).not.toMatch(/unreachable|request failed/);
    } finally {
      await queue.resume();
      await queue.close();
    }
  });
});
