import http from 'node:http';
import type { RequestListener } from 'node:http';

/** Connection bounds of the gateway's HTTP server (HTTP_* settings, docs/reliability.md). */
export interface ServerLimits {
  /** All request headers must arrive within this (slow-header clients). */
  headersTimeoutMs: number;
  /** Longest silence on a socket while a request is read or answered (slow bodies). */
  idleTimeoutMs: number;
  /**
   * The synchronous endpoints stay silent while their job runs (SYNC_TIMEOUT_MS): the idle
   * timeout never cuts one off before it can answer.
   */
  syncTimeoutMs?: number;
  /** The whole request, headers and body. */
  requestTimeoutMs: number;
  /** Idle keep-alive connections close after this. */
  keepAliveTimeoutMs: number;
  /** Open connections; more are closed at once (`onRefused`). */
  maxConnections: number;
}

/**
 * An HTTP server with bounded connections. Node checks header and request deadlines on a
 * timer (30 s by default), so a deadline could overrun by that much: check every second.
 */
export function createBoundedServer(
  app: RequestListener,
  limits: ServerLimits,
  onRefused: () => void,
): http.Server {
  const server = http.createServer(
    {
      connectionsCheckingInterval: 1000,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
    },
    app,
  );
  server.timeout = Math.max(limits.idleTimeoutMs, (limits.syncTimeoutMs ?? 0) + 5_000);
  server.maxConnections = limits.maxConnections;
  // 'drop' fires for each connection refused by maxConnections (Node ≥ 18.6).
  server.on('drop', onRefused);
  return server;
}
