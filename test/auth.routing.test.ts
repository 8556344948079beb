/**
 * Security review, findings 1 and 9 and the DeepStack form key: the key check cannot be
 * walked around by spelling a path differently, requests are logged with the key's id
 * (never the key), 429s keep their route label, and `/metrics` can require a key.
 * Against the real gateway, worker and Redis.
 */
import os from 'node:os';
import { ApiKeyStore, RedisKeys } from '@argus/queue';
import { gatewayRouterStack, type RouterLayer } from './support/route-table';
import { sample, startPlatform, type Platform } from './support/platform';

const ENV_KEY = 'env-key-routing-0123456789';
const JOB_ID = '00000000-0000-4000-8000-000000000000';

function routeTable(): { method: string; path: string }[] {
  const walk = (stack: RouterLayer[]): { method: string; path: string }[] =>
    stack.flatMap((layer) => {
      if (layer.route && typeof layer.route.path === 'string') {
        const path = layer.route.path;
        return Object.keys(layer.route.methods)
          .filter((m) => layer.route!.methods[m])
          .map((m) => ({ method: m.toUpperCase(), path }));
      }
      return layer.handle?.stack ? walk(layer.handle.stack) : [];
    });
  return walk(gatewayRouterStack());
}

/** Other spellings of one path: upper case, a capitalised segment, a trailing slash, a doubled one. */
function variants(path: string): string[] {
  if (path === '/') return ['//'];
  const segments = path.split('/');
  const capitalised = segments
    .map((s, i) => (i === 1 ? s.charAt(0).toUpperCase() + s.slice(1) : s))
    .join('/');
  return [...new Set([path.toUpperCase(), capitalised, `${path}/`, path.replace('/', '//')])].filter(
    (v) => v !== path,
  );
}

const concrete = (path: string) =>
  path.replace(':id', JOB_ID).replace(':n', '0').replace(':model', 'yolov8n');
const PUBLIC = new Set([
  'GET /',
  'GET /healthz',
  'GET /readyz',
  'GET /openapi.json',
  // Open Inference Protocol probes (KServe); a model's metadata still needs a key.
  'GET /v2/health/live',
  'GET /v2/health/ready',
  'GET /v2/models/:model/ready',
]);

describe('with API keys configured', () => {
  let platform: Platform;
  let store: ApiKeyStore;

  beforeAll(async () => {
    platform = await startPlatform({
      workers: 1,
      env: {
        API_KEYS: ENV_KEY,
        RATE_LIMIT_PER_MINUTE: '1',
        RATE_LIMIT_BURST: '3',
        DAILY_JOB_QUOTA: '0',
        METRICS_REQUIRE_KEY: 'true',
        METRICS_PUSH_INTERVAL_MS: '500',
      },
    });
    store = new ApiKeyStore(platform.redis, new RedisKeys(platform.prefix));
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const call = (method: string, path: string, key?: string) =>
    fetch(`${platform.url}${path}`, {
      method,
      headers: key ? { Authorization: `Bearer ${key}` } : {},
    }).then(async (res) => ({ status: res.status, text: await res.text() }));

  it('serves no route to a caller without a key under any other spelling of its path', async () => {
    const routes = routeTable();
    expect(routes.length).toBeGreaterThan(8);
    const served: string[] = [];
    for (const { method, path } of routes) {
      for (const variant of variants(concrete(path))) {
        const none = await call(method, variant);
        if (none.status < 300 || ![401, 404].includes(none.status))
          served.push(`${method} ${variant} → ${none.status}`);
        const keyed = await call(method, variant, ENV_KEY);
        if (keyed.status !== 404) served.push(`${method} ${variant} (with key) → ${keyed.status}`);
      }
      const exact = await call(method, concrete(path));
      if (PUBLIC.has(`${method} ${path}`)) {
        if (exact.status === 401) served.push(`${method} ${path} is public but answered 401`);
      } else if (path !== '/metrics' && exact.status !== 401) {
        served.push(`${method} ${path} without a key → ${exact.status}`);
      }
    }
    expect(served).toEqual([]);
  });

  it('keeps the WebUI files public and an unknown path closed', async () => {
    expect((await call('GET', '/ui/styles.css')).status).toBe(200);
    expect((await call('GET', '/UI/styles.css')).status).toBe(401);
    expect((await call('GET', '/v2/anything')).status).toBe(401);
  });

  it('accepts the DeepStack api_key form field on /v1/vision/detection, like Frigate sends it', async () => {
    const { key } = await store.create('frigate');
    const frigate = (apiKey: string) => {
      // Frigate's deepstack plugin: requests.post(url, files={"image": …}, data={"api_key": …})
      const form = new FormData();
      const bus = sample('bus.jpg');
      form.append('image', new Blob([new Uint8Array(bus.bytes)], { type: 'image/jpeg' }), 'image.jpg');
      form.append('api_key', apiKey);
      return fetch(`${platform.url}/v1/vision/detection`, { method: 'POST', body: form }).then(
        async (res) => ({ status: res.status, body: await res.json() }),
      );
    };
    const ok = await frigate(key);
    expect(ok.status).toBe(200);
    expect(ok.body.success).toBe(true);
    expect(ok.body.predictions.some((p: { label: string }) => p.label === 'bus')).toBe(true);

    const wrong = await frigate('argus_not-a-key');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ success: false, error: { code: 'unauthorized' } });

    // Same limits as a Bearer key: burst 3, one of which is spent above.
    const more = [await frigate(key), await frigate(key), await frigate(key)];
    expect(more.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(more[2].body).toMatchObject({ success: false, error: { code: 'rate_limited' } });

    // Only the DeepStack routes take a key from the form.
    const form = new FormData();
    form.append('task', 'detect');
    form.append('api_key', key);
    form.append('image', new Blob([new Uint8Array(sample('bus.jpg').bytes)]), 'bus.jpg');
    expect((await fetch(`${platform.url}/v1/jobs`, { method: 'POST', body: form })).status).toBe(401);
  });

  it('logs the key id with each request, never the key, and labels 429s with their route', async () => {
    const { key, record } = await store.create('logged');
    const submit = async () => {
      const form = new FormData();
      form.append('task', 'detect');
      form.append('image', new Blob([new Uint8Array(sample('zidane.jpg').bytes)]), 'z.jpg');
      return (
        await fetch(`${platform.url}/v1/jobs`, {
          method: 'POST',
          body: form,
          headers: { Authorization: `Bearer ${key}` },
        })
      ).status;
    };
    const statuses = [await submit(), await submit(), await submit(), await submit()];
    expect(statuses[3]).toBe(429);
    const logs = platform.gateway!.output.join('');
    expect(logs).toContain(`keyId=${record.id}`);
    expect(logs).not.toContain(key);
    expect(logs).not.toContain(ENV_KEY);

    const scrape = await fetch(`${platform.url}/metrics`, { headers: { Authorization: `Bearer ${key}` } });
    const text = await scrape.text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/v1\/jobs"[^}]*status="429"/);
  });

  it('requires a key for /metrics when METRICS_REQUIRE_KEY is set, and publishes no host names', async () => {
    expect((await call('GET', '/metrics')).status).toBe(401);
    // Wait for a worker snapshot so the worker's labels are in the scrape too.
    let text = '';
    for (let i = 0; i < 40 && !/argus_worker_up\{/.test(text); i++) {
      text = (await call('GET', '/metrics', ENV_KEY)).text;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(text).toMatch(/argus_worker_up\{/);
    expect(text).not.toContain(os.hostname());
  });
});
