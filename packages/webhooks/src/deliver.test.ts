import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyDelivery, deliverWebhook, parseRetryAfter, retryDelayMs } from './deliver';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

async function receiver(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const open = { allowPrivate: true, allowedHosts: [] };
const base = { headers: { 'X-Test': '1' }, timeoutMs: 2000, maxResponseBytes: 1024, policy: open };

describe('deliverWebhook against a real local receiver', () => {
  it('POSTs the JSON body with our headers and reports the status', async () => {
    let seen: { body: string; headers: http.IncomingHttpHeaders } | undefined;
    const r = await receiver((req, res, body) => {
      seen = { body, headers: req.headers };
      res.writeHead(204).end();
    });
    const result = await deliverWebhook({ ...base, url: r.url, body: '{"a":1}' });
    await r.close();
    expect(result.statusCode).toBe(204);
    expect(classifyDelivery(result)).toBe('delivered');
    expect(seen?.body).toBe('{"a":1}');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['x-test']).toBe('1');
  });

  it('does not follow redirects', async () => {
    let hits = 0;
    const r = await receiver((_req, res) => {
      hits++;
      res.writeHead(302, { Location: '/elsewhere' }).end();
    });
    const result = await deliverWebhook({ ...base, url: r.url, body: '{}' });
    await r.close();
    expect(result.statusCode).toBe(302);
    expect(hits).toBe(1);
    expect(classifyDelivery(result)).toBe('rejected');
  });

  it('reads at most maxResponseBytes of the answer', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(500);
      res.end('x'.repeat(100_000));
    });
    const result = await deliverWebhook({ ...base, url: r.url, body: '{}', maxResponseBytes: 64 });
    await r.close();
    expect(result.statusCode).toBe(500);
    expect(result.responseSnippet!.length).toBeLessThanOrEqual(64);
    expect(classifyDelivery(result)).toBe('retry');
  });

  it('times out a receiver that never answers', async () => {
    const r = await receiver(() => undefined);
    const result = await deliverWebhook({ ...base, url: r.url, body: '{}', timeoutMs: 200 });
    await r.close();
    expect(result.statusCode).toBeUndefined();
    expect(result.error).toMatch(/timed out/);
    expect(classifyDelivery(result)).toBe('retry');
  });

  it('reports connection errors for a receiver that is down', async () => {
    const r = await receiver(() => undefined);
    const url = r.url;
    await r.close();
    const result = await deliverWebhook({ ...base, url, body: '{}' });
    expect(result.error).toMatch(/ECONNREFUSED/);
    expect(classifyDelivery(result)).toBe('retry');
  });

  it('refuses to connect to a private address under a closed policy, literal or resolved', async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    const closed = { allowPrivate: false, allowedHosts: [] };
    const literal = await deliverWebhook({ ...base, policy: closed, url: r.url, body: '{}' });
    const resolved = await deliverWebhook({
      ...base,
      policy: closed,
      url: r.url.replace('127.0.0.1', 'localhost'),
      body: '{}',
    });
    await r.close();
    expect(literal.statusCode).toBeUndefined();
    expect(literal.error).toMatch(/not allowed/);
    expect(resolved.statusCode).toBeUndefined();
    expect(resolved.error).toMatch(/not allowed/);
  });

  it('refuses at connect time what the submit-time check refuses (one policy)', async () => {
    const closed = { allowPrivate: false, allowedHosts: [] };
    for (const url of [
      'http://[::7f00:1]:9/',
      'http://[::ffff:0:7f00:1]:9/',
      'http://[64:ff9b:1::7f00:1]:9/',
      'http://[2002:7f00:1::1]:9/',
      'http://[fec0::1]:9/',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      const result = await deliverWebhook({ ...base, policy: closed, url, body: '{}' });
      expect([url, result.statusCode, result.error]).toEqual([
        url,
        undefined,
        expect.stringMatching(/not allowed/),
      ]);
    }
  });

  it('passes Retry-After on', async () => {
    const r = await receiver((_req, res) => res.writeHead(429, { 'Retry-After': '7' }).end());
    const result = await deliverWebhook({ ...base, url: r.url, body: '{}' });
    await r.close();
    expect(result.retryAfterMs).toBe(7000);
    expect(classifyDelivery(result)).toBe('retry');
  });
});

describe('delivery policy', () => {
  it('classifies answers', () => {
    const c = (statusCode?: number) => classifyDelivery({ statusCode, durationMs: 1 });
    expect([c(200), c(201), c(299)]).toEqual(['delivered', 'delivered', 'delivered']);
    expect(c(410)).toBe('gone');
    expect([c(400), c(401), c(404), c(422), c(301)]).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect([c(408), c(429), c(500), c(503), c(undefined)]).toEqual([
      'retry',
      'retry',
      'retry',
      'retry',
      'retry',
    ]);
  });

  it('backs off exponentially with ±20 % jitter, and honours a longer Retry-After', () => {
    expect(retryDelayMs(1, 1000, undefined, () => 0.5)).toBe(1000);
    expect(retryDelayMs(4, 1000, undefined, () => 0.5)).toBe(8000);
    expect(retryDelayMs(4, 1000, undefined, () => 0)).toBe(6400);
    expect(retryDelayMs(4, 1000, undefined, () => 1)).toBe(9600);
    expect(retryDelayMs(1, 1000, 60_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(3, 1000, 10, () => 0.5)).toBe(4000);
    // The default schedule (8 attempts, 30 s base) spans about an hour.
    const total = [1, 2, 3, 4, 5, 6, 7].reduce(
      (s, a) => s + retryDelayMs(a, 30_000, undefined, () => 0.5),
      0,
    );
    expect(total / 60_000).toBeGreaterThan(55);
    expect(total / 60_000).toBeLessThan(70);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(inOneMinute)).toBeGreaterThan(50_000);
  });
});
