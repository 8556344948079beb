/**
 * The generated OpenAPI document lists exactly the routes the gateway's Express app serves
 * (read from the app's routing table; no request is sent).
 */
import { createApp } from '../apps/gateway/src/app';
import { doc, operations } from './support/openapi-doc';

/** The slice of Express 5's router (package `router` 2.x) that lists routes. */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: RouterLayer[] };
  /** The path given to `use()`; `/` for routers mounted at the root. */
  rawPath?: unknown;
}

/** `METHOD /openapi/{style}` for every route in a router stack, nested routers included. */
function routesOf(stack: RouterLayer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const route = layer.route;
      const path = route.path;
      // Express 5 wildcards (`*splat`) and optional segments (`{…}`) have no OpenAPI form.
      if (typeof path !== 'string' || /[*{}()]/.test(path)) {
        throw new Error(`route ${String(path)}: not a plain path`);
      }
      const openapiPath = (prefix + path).replace(/:([A-Za-z_$][\w$]*)/g, '{$1}');
      return Object.keys(route.methods)
        .filter((m) => route.methods[m])
        .map((m) => `${m === '_all' ? 'ALL' : m.toUpperCase()} ${openapiPath}`);
    }
    if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      return routesOf(layer.handle.stack, prefix + mount);
    }
    return [];
  });
}

describe('openapi.json documents exactly the routes the gateway serves', () => {
  // Not called: only the routing table is read. Routers capture their dependencies when
  // they are built and touch them only while handling a request, and none is sent here.
  const unused = Object.freeze({}) as never;
  const app = createApp({
    log: unused,
    jobs: unused,
    jobEvents: unused,
    waiters: unused,
    idempotency: unused,
    keys: unused,
    redis: unused,
    registry: unused,
    settings: {
      callbackPolicy: { allowPrivate: false, allowedHosts: [] },
      maxUploadBytes: 1,
      maxPixels: 1,
      syncTimeoutMs: 1,
      workerMaxAgeMs: 1,
    },
  });
  const served = routesOf((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  const documented = operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`);

  it('finds the routes in the Express app', () => {
    expect(served).toContain('POST /v1/jobs');
    expect(served).toContain('GET /v1/jobs/{id}');
  });

  it('documents every route the app serves', () => {
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
  });

  it('documents no operation the app does not serve', () => {
    expect(documented.filter((r) => !served.includes(r))).toEqual([]);
  });
});
