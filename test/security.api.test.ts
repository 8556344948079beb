/**
 * API keys, per-key rate limits and quotas, backpressure, security headers and CORS,
 * against the real gateway and Redis.
 */
import sharp from 'sharp';
import { ApiKeyStore, RedisKeys } from '@argus/queue';
import { sample, startPlatform, type Platform } from './support/platform';

const ENV_KEY = 'env-key-0123456789abcdef';

async function png(seed: number): Promise<Buffer> {
  return sharp({
    create: { width: 40, height: 30, channels: 3, background: { r: seed % 256, g: 9, b: (seed * 7) % 256 } },
  })
    .png()
    .toBuffer();
}

async function submit(platform: Platform, key: string | null, seed: number, path = '/v1/jobs') {
  const form = new FormData();
  form.append('task', 'detect');
  form.append(path === '/detect' ? 'file' : 'image', new Blob([new Uint8Array(await png(seed))]), 'x.png');
  const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  const res = await fetch(`${platform.url}${path}`, { method: 'POST', body: form, headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('with API keys configured', () => {
  let platform: Platform;
  let store: ApiKeyStore;

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 1,
      env: {
        API_KEYS: ENV_KEY,
        RATE_LIMIT_PER_MINUTE: '60',
        RATE_LIMIT_BURST: '3',
        DAILY_JOB_QUOTA: '0',
        CORS_ORIGINS: 'https://app.example',
      },
    });
    store = new ApiKeyStore(platform.redis, new RedisKeys(platform.prefix));
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses requests without a key or with a bad one: 401 with a clear message', async () => {
    const none = await submit(platform, null, 1);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.body.error.message).toMatch(/Authorization: Bearer/);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bad = await submit(platform, 'argus_not-a-real-key', 1);
    expect(bad.status).toBe(401);
    const poll = await fetch(`${platform.url}/v1/jobs/00000000-0000-4000-8000-000000000000`);
    expect(poll.status).toBe(401);
    const sync = await submit(platform, null, 1, '/detect');
    expect(sync.status).toBe(401);
    expect(sync.body).toMatchObject({ success: false, error: { code: 'unauthorized' } });
  });

  it('keeps probes and the API description open', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json'])
      expect((await fetch(`${platform.url}${path}`)).status).toBe(200);
  });

  it('accepts a key from API_KEYS and one from the Redis store, and stops accepting it once revoked', async () => {
    const fromEnv = await submit(platform, ENV_KEY, 2);
    expect(fromEnv.status).toBe(202);
    const poll = await fetch(`${platform.url}${fromEnv.body.links.self}`, {
      headers: { Authorization: `Bearer ${ENV_KEY}` },
    });
    expect(poll.status).toBe(200);

    const { key, record } = await store.create('test-client');
    expect(await platform.redis.hget(`${platform.prefix}:api-keys`, key)).toBeNull(); // stored hashed only
    expect((await submit(platform, key, 3)).status).toBe(202);
    await store.revoke(record.id);
    const revoked = await submit(platform, key, 4);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
  });

  it('rate-limits submissions per key with RateLimit-* headers and 429 + Retry-After', async () => {
    const { key } = await store.create('burst-client');
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await submit(platform, key, 100 + i));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers[0].headers.get('ratelimit-limit')).toBe('3');
    expect(answers[2].headers.get('ratelimit-remaining')).toBe('0');
    const limited = answers[3];
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another key has its own bucket.
    const { key: other } = await store.create('other-client');
    expect((await submit(platform, other, 200)).status).toBe(202);
  });

  it('enforces a per-key daily job quota, and refused submissions do not use it up', async () => {
    const { key } = await store.create('quota-client', { dailyQuota: 2, ratePerMinute: 0 });
    expect((await submit(platform, key, 300)).status).toBe(202);
    const bad = await fetch(`${platform.url}/v1/jobs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(bad.status).toBe(400);
    expect((await submit(platform, key, 301)).status).toBe(202);
    const over = await submit(platform, key, 302);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('quota_exceeded');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('sends security headers and no stack traces', async () => {
    const res = await fetch(`${platform.url}/v1/jobs/nope`, {
      headers: { Authorization: `Bearer ${ENV_KEY}` },
    });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const text = await res.text();
    expect(text).not.toMatch(/at .*\.js:\d+/);
  });

  it('answers CORS only for configured origins', async () => {
    const allowed = await fetch(`${platform.url}/v1/jobs`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await fetch(`${platform.url}/healthz`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('open mode and backpressure (no worker, MAX_QUEUE_DEPTH=3)', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ workers: 0, env: { MAX_QUEUE_DEPTH: '3' } });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('runs open without keys and says so at startup', async () => {
    expect((await submit(platform, null, 1)).status).toBe(202);
    expect(platform.gateway!.output.join('')).toMatch(/API is OPEN/);
  });

  it('refuses new jobs with 503 overloaded + Retry-After once the queue is full, instead of queueing', async () => {
    await submit(platform, null, 2);
    await submit(platform, null, 3);
    await new Promise((r) => setTimeout(r, 300)); // the depth reading is cached for 250 ms
    const refused = await submit(platform, null, 4);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('overloaded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const sync = await submit(platform, null, 5, '/detect');
    expect(sync.status).toBe(503);
    const queue = platform.queue('detect');
    expect(await queue.count()).toBe(3);
  });

  it('answers CORS preflights with nothing when CORS is off', async () => {
    const res = await fetch(`${platform.url}/v1/jobs`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

it('uses a sample image only to prove the harness works with real images', async () => {
  expect(sample('zidane.jpg').bytes.length).toBeGreaterThan(1000);
});
