/**
 * Security review, finding 2: open mode is chosen, never fallen into. A gateway that has
 * seen a key stays protected when the last key is revoked or the key store is lost, and
 * production without keys refuses requests unless AUTH_MODE=open says otherwise. Real
 * gateway processes against the real Redis (no worker: nothing here needs a job to run).
 */
import { ApiKeyStore, RedisKeys } from '@argus/queue';
import { startPlatform, sleep, type Platform } from './support/platform';
import { TestRedisServer } from './support/redis-server';

const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
  'base64',
);

async function submit(platform: Platform, key?: string): Promise<number> {
  const form = new FormData();
  form.append('task', 'detect');
  form.append('image', new Blob([new Uint8Array(PNG_1x1)], { type: 'image/png' }), 'x.png');
  const res = await fetch(`${platform.url}/v1/jobs`, {
    method: 'POST',
    body: form,
    headers: key ? { Authorization: `Bearer ${key}` } : {},
  });
  await res.arrayBuffer();
  return res.status;
}

/** Polls until `check` holds (the gateway re-reads the key store every few seconds). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(200);
  }
}

describe('a local gateway started without keys', () => {
  let platform: Platform;
  let store: ApiKeyStore;

  beforeAll(async () => {
    platform = await startPlatform({ workers: 0, env: { NODE_ENV: 'development' } });
    store = new ApiKeyStore(platform.redis, new RedisKeys(platform.prefix));
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('starts open with a warning, closes when a key is created, and never opens again', async () => {
    expect(platform.gateway!.output.join('')).toMatch(/API is OPEN/);
    expect(await submit(platform)).toBe(202);

    const { key, record } = await store.create('first');
    await eventually(async () => (await submit(platform)) === 401);
    expect(platform.gateway!.output.join('')).toMatch(
      /WARN.*open → protected|"level":"warn".*open → protected/,
    );
    expect(await submit(platform, key)).toBe(202);

    // Revoking the last key: still closed, and the revoked key does not work.
    await store.revoke(record.id);
    await sleep(6_000); // longer than the store re-read interval
    expect(await submit(platform)).toBe(401);
    expect(await submit(platform, key)).toBe(401);

    // The key store lost (a Redis restart without persistence): still closed.
    await platform.redis.del(`${platform.prefix}:api-keys`);
    await sleep(6_000);
    expect(await submit(platform)).toBe(401);
    expect(await submit(platform, key)).toBe(401);
  }, 60_000);

  it('takes the first key at once when a request already carries it', async () => {
    const other = await startPlatform({ workers: 0, env: { NODE_ENV: 'development' } });
    try {
      const otherStore = new ApiKeyStore(other.redis, new RedisKeys(other.prefix));
      expect(await submit(other)).toBe(202);
      const { key } = await otherStore.create('eager');
      expect(await submit(other, key)).toBe(202);
      expect(await submit(other)).toBe(401);
    } finally {
      await other.stop();
    }
  }, 60_000);
});

describe('production', () => {
  it('refuses requests without keys unless open mode is chosen', async () => {
    const closed = await startPlatform({ workers: 0, env: { NODE_ENV: 'production' } });
    try {
      expect(await submit(closed)).toBe(401);
      expect(closed.gateway!.output.join('')).toMatch(/no API keys/);
    } finally {
      await closed.stop();
    }
    const open = await startPlatform({ workers: 0, env: { NODE_ENV: 'production', AUTH_MODE: 'open' } });
    try {
      expect(await submit(open)).toBe(202);
      expect(open.gateway!.output.join('')).toMatch(/API is OPEN/);
    } finally {
      await open.stop();
    }
  }, 90_000);
});

describe('keys in use and the key store out of reach', () => {
  it('answers 503 for a key it cannot check and 401 without one, never open', async () => {
    const redis = await TestRedisServer.create();
    let platform: Platform | undefined;
    try {
      platform = await startPlatform({
        workers: 0,
        env: { REDIS_URL: redis.url, REDIS_OP_TIMEOUT_MS: '300' },
      });
      const { key } = await new ApiKeyStore(platform.redis, new RedisKeys(platform.prefix)).create('c');
      await eventually(async () => (await submit(platform!)) === 401);
      await redis.stop();
      expect(await submit(platform, key)).toBe(503);
      expect(await submit(platform)).toBe(401);
      await sleep(6_000);
      expect(await submit(platform)).toBe(401);
    } finally {
      await redis.start();
      await platform?.stop();
      await redis.stop();
    }
  }, 90_000);
});
