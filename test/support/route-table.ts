/**
 * The gateway's Express routing table, read without serving: `createApp` with dependencies
 * that are never called. Routers capture their dependencies when they are built and touch
 * them only while handling a request, and none is sent.
 */
import { createApp } from '../../apps/gateway/src/app';

/** The slice of Express 5's router (package `router` 2.x) that lists routes. */
export interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: RouterLayer[] };
  /** The path given to `use()`; `/` for routers mounted at the root. */
  rawPath?: unknown;
}

/** The top of the gateway app's router stack. */
export function gatewayRouterStack(): RouterLayer[] {
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
    streamFeeds: unused,
    settings: {
      callbackPolicy: { allowPrivate: false, allowedHosts: [] },
      maxUploadBytes: 1,
      maxPixels: 1,
      syncTimeoutMs: 1,
      workerMaxAgeMs: 1,
    },
  });
  return (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
}
