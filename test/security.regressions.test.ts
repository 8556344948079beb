/**
 * What the security review found to hold, kept so it stays that way: HTTP parser refusals,
 * multipart limits, no prototype pollution through field names, no path traversal, the
 * WebUI's CSP and its key kept in sessionStorage, no redirects and capped answers for
 * webhooks (packages/webhooks tests), SSRF refusals (address-policy tests).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, startPlatform, type Platform } from './support/platform';

/** Sends raw bytes and returns the status line's code (the parser answers before any route). */
function rawStatus(url: string, request: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (d) => {
      data += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        resolve(Number(m[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
  });
}

describe('kept as they are', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ workers: 0 });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses smuggling shapes and oversized headers in the HTTP parser', async () => {
    const host = 'Host: x\r\n';
    expect(
      await rawStatus(
        platform.url,
        `POST /v1/jobs HTTP/1.1\r\n${host}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ),
    ).toBe(400);
    expect(
      await rawStatus(
        platform.url,
        `POST /v1/jobs HTTP/1.1\r\n${host}Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcd`,
      ),
    ).toBe(400);
    expect(
      await rawStatus(platform.url, `GET /healthz HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    ).toBe(431);
  });

  it('keeps multipart limits: one file, a bounded number of fields', async () => {
    const form = new FormData();
    form.append('task', 'detect');
    for (let i = 0; i < 40; i++) form.append(`f${i}`, 'x');
    form.append('image', new Blob([new Uint8Array(8)]), 'x.png');
    const res = await fetch(`${platform.url}/v1/jobs`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_request');
  });

  it('lets no field name reach a prototype', async () => {
    const form = new FormData();
    form.append('__proto__[task]', 'parse');
    form.append('constructor[prototype][task]', 'parse');
    form.append('image', new Blob([new Uint8Array(8)]), 'x.png');
    const res = await fetch(`${platform.url}/v1/jobs`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_option'); // no task: it was not inherited
    const again = new FormData();
    again.append('image', new Blob([new Uint8Array(8)]), 'x.png');
    const next = await fetch(`${platform.url}/v1/jobs`, { method: 'POST', body: again });
    expect((await next.json()).error.code).toBe('invalid_option');
  });

  it('answers 404 to path traversal in artifact and WebUI paths', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const p of [
      `/v1/jobs/${id}/persons/..%2f..%2fpackage.json/mask.png`,
      `/v1/jobs/..%2f..%2f${id}/overlay.png`,
      '/ui/..%2f..%2fpackage.json',
      '/ui/%2e%2e/%2e%2e/gateway/package.json',
    ]) {
      const status = await rawStatus(
        platform.url,
        `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect([p, status]).toEqual([p, 404]);
    }
    // Literal dot segments: refused by the static file server, never served.
    for (const p of ['/ui/../../package.json', '/ui/../gateway/package.json']) {
      const status = await rawStatus(
        platform.url,
        `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect([p, [403, 404].includes(status)]).toEqual([p, true]);
    }
  });

  it('serves the WebUI with its CSP and security headers, and CORS stays off by default', async () => {
    const res = await fetch(`${platform.url}/`, { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

it('keeps the WebUI key in sessionStorage, never in localStorage', () => {
  const main = fs.readFileSync(path.join(REPO_ROOT, 'apps/webui/src/options.form.ts'), 'utf8');
  expect(main).toMatch(/sessionStorage\.setItem\(API_KEY_KEY/);
  expect(main).not.toMatch(/localStorage\.[a-zA-Z]+\(API_KEY_KEY/);
});
