/**
 * The generated OpenAPI document lists exactly the routes the gateway's Express app serves
 * (read from the app's routing table; no request is sent).
 */
import { gatewayRouterStack, type RouterLayer } from './support/route-table';
import { doc, operations } from './support/openapi-doc';

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
  const served = routesOf(gatewayRouterStack());
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
