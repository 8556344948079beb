/**
 * Stream events over Server-Sent Events and the WebSocket twin, through the real gateway and
 * Redis: the same events on both, the same keys and owner scoping (refusals are HTTP errors
 * before any upgrade), the key as a subprotocol for browsers, resume, the end of a deleted
 * stream, one Redis reader per stream shared by every client (counted as the gateway's TCP
 * connections to Redis), and the reader bound (503 + Retry-After). No worker: the test
 * appends the frame events as a stream's worker does (StreamStore.appendEvent).
 */
import { execFileSync } from 'node:child_process';
import { ApiKeyStore, RedisKeys, StreamStore } from '@argus/queue';
import WebSocket from 'ws';
import { sleep, startPlatform, type Platform } from './support/platform';

jest.setTimeout(60_000);

let platform: Platform;
let store: StreamStore;
let a: string;
let b: string;

beforeAll(async () => {
  platform = await startPlatform({
    workers: 0,
    env: { API_KEYS: 'bootstrap-key-0123456789' },
    gatewayEnv: { STREAM_ALLOW_PRIVATE: 'true', STREAM_READERS_MAX: '2' },
  });
  const keys = new ApiKeyStore(platform.redis, new RedisKeys(platform.prefix));
  a = (await keys.create('tenant-a')).key;
  b = (await keys.create('tenant-b')).key;
  store = new StreamStore(platform.redis, new RedisKeys(platform.prefix));
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

const wsUrl = (id: string, query = '') =>
  `${platform.url.replace('http', 'ws')}/v1/streams/${id}/events${query}`;

async function register(key: string): Promise<string> {
  const res = await fetch(`${platform.url}/v1/streams`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: 'http://127.0.0.1:9/cam.mjpg', fps: 2 }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const frame = (seq: number) => ({ seq, capturedAt: Date.now(), width: 4, height: 3, detections: [] });

/** A WebSocket client's messages, and how it ended. */
function wsClient(url: string, opts: WebSocket.ClientOptions & { protocols?: string[] } = {}) {
  const ws = new WebSocket(url, opts.protocols ?? [], opts);
  const messages: Array<{ event: string; id?: string; data?: { seq: number; state?: string } }> = [];
  ws.on('message', (m: Buffer) => messages.push(JSON.parse(m.toString('utf8'))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const frames = () => messages.filter((m) => m.event === 'frame');
  return { ws, messages, frames, opened, closed };
}

/** The HTTP answer to a refused upgrade. */
function refusal(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: any; retryAfter?: string }>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('upgraded')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text),
          retryAfter: res.headers['retry-after'],
        }),
      );
    });
  });
}

/** SSE frame ids read until `count` arrive. */
async function sseIds(
  id: string,
  key: string,
  count: number,
  onOpen: () => Promise<void>,
): Promise<string[]> {
  const controller = new AbortController();
  const res = await fetch(`${platform.url}/v1/streams/${id}/events`, {
    headers: { authorization: `Bearer ${key}` },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  await onOpen();
  const ids: string[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  while (ids.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    for (const m of buffer.matchAll(/^id: (\S+)\nevent: frame$/gm)) if (!ids.includes(m[1])) ids.push(m[1]);
  }
  controller.abort();
  return ids;
}

/** Established TCP connections from the gateway process to Redis. */
function gatewayRedisConnections(): number {
  const pid = platform.gateway!.child.pid;
  const out = execFileSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' });
  const port = new URL(platform.env.REDIS_URL).port || '6379';
  return out.split('\n').filter((l) => l.includes(`pid=${pid},`) && new RegExp(`:${port}\\s`).test(l)).length;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`${what}: not within 10 s`);
}

describe('GET /v1/streams/:id/events as a WebSocket', () => {
  it('refuses before upgrading: no key 401, another key’s stream 404, a bad id 404, a foreign origin 403', async () => {
    const id = await register(a);
    expect(await refusal(wsUrl(id))).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect(await refusal(wsUrl(id), { authorization: `Bearer ${b}` })).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(await refusal(wsUrl('not-a-stream'), { authorization: `Bearer ${a}` })).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(
      await refusal(wsUrl(id), { authorization: `Bearer ${a}`, origin: 'https://evil.example' }),
    ).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    await store.delete(id);
  });

  it('sends the same events as the SSE endpoint, one Redis reader for all clients, and resumes', async () => {
    const id = await register(a);
    const baseline = gatewayRedisConnections();
    // A browser's way: the key as a subprotocol, answered with argus.v1 only.
    const one = wsClient(wsUrl(id), { protocols: ['argus.v1', `bearer.${a}`] });
    const two = wsClient(wsUrl(id), { headers: { authorization: `Bearer ${a}` } });
    await Promise.all([one.opened, two.opened]);
    expect(one.ws.protocol).toBe('argus.v1');
    const sse = await sseIds(id, a, 3, async () => {
      await until(() => gatewayRedisConnections() === baseline + 1, 'one reader');
      for (let seq = 0; seq < 3; seq++) await store.appendEvent(id, frame(seq), 100);
    });
    await until(() => one.frames().length === 3 && two.frames().length === 3, 'three frames');
    expect(one.frames().map((m) => m.id)).toEqual(sse);
    expect(two.frames().map((m) => m.id)).toEqual(sse);
    expect(one.frames().map((m) => m.data!.seq)).toEqual([0, 1, 2]);
    // Fifty more clients of the same stream: still one extra Redis connection in all.
    const crowd = Array.from({ length: 50 }, () =>
      wsClient(wsUrl(id), { headers: { authorization: `Bearer ${a}` } }),
    );
    await Promise.all(crowd.map((c) => c.opened));
    await store.appendEvent(id, frame(3), 100);
    await until(() => crowd.every((c) => c.frames().length === 1), 'the crowd hears the event');
    expect(gatewayRedisConnections()).toBe(baseline + 1);
    for (const c of crowd) c.ws.close();
    await Promise.all(crowd.map((c) => c.closed));

    const resumed = wsClient(wsUrl(id, `?lastEventId=${sse[1]}`), {
      headers: { authorization: `Bearer ${a}` },
    });
    await resumed.opened;
    // Resumed after the second event: the third and the crowd's one, each once, in order.
    await until(() => resumed.frames().length === 2, 'backlog');
    expect(resumed.frames().map((m) => m.data!.seq)).toEqual([2, 3]);
    expect(resumed.frames()[0].id).toBe(sse[2]);

    await store.delete(id);
    const ends = await Promise.all([one.closed, two.closed, resumed.closed]);
    expect(ends.map((e) => e.code)).toEqual([1000, 1000, 1000]);
    expect(one.messages.at(-1)).toEqual({ event: 'end', data: { state: 'stopped' } });
    await until(() => gatewayRedisConnections() === baseline, 'reader dropped');
  });

  it('bounds the streams followed at once (STREAM_READERS_MAX=2): 503 unavailable + Retry-After', async () => {
    const ids = [await register(a), await register(a), await register(a)];
    const held = ids
      .slice(0, 2)
      .map((id) => wsClient(wsUrl(id), { headers: { authorization: `Bearer ${a}` } }));
    await Promise.all(held.map((c) => c.opened));
    const refused = await refusal(wsUrl(ids[2]), { authorization: `Bearer ${a}` });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    const sse = await fetch(`${platform.url}/v1/streams/${ids[2]}/events`, {
      headers: { authorization: `Bearer ${a}` },
    });
    expect(sse.status).toBe(503);
    expect((await sse.json()).error.code).toBe('unavailable');
    // A third client of a stream already followed needs no reader: accepted.
    const extra = wsClient(wsUrl(ids[0]), { headers: { authorization: `Bearer ${a}` } });
    await extra.opened;
    for (const c of [...held, extra]) c.ws.close();
    await Promise.all([...held, extra].map((c) => c.closed));
    const again = wsClient(wsUrl(ids[2]), { headers: { authorization: `Bearer ${a}` } });
    await again.opened;
    again.ws.close();
    await again.closed;
    for (const id of ids) await store.delete(id);
  });

  it('closes WebSockets with 1001 and ends event streams when the gateway shuts down', async () => {
    const id = await register(a);
    const client = wsClient(wsUrl(id), { headers: { authorization: `Bearer ${a}` } });
    await client.opened;
    const sse = await fetch(`${platform.url}/v1/streams/${id}/events`, {
      headers: { authorization: `Bearer ${a}` },
    });
    expect(sse.status).toBe(200);
    const gateway = platform.gateway!;
    gateway.child.kill('SIGTERM');
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1001, reason: 'the gateway is shutting down' });
    // The event stream ends (the client reconnects elsewhere with Last-Event-ID).
    expect(await sse.text()).toBe('');
    expect(await gateway.exited).toBe(0);
  });
});
