import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * Set on requests that arrived as a WebSocket upgrade: completes the handshake (101).
     * Until a route calls it, the request is an ordinary HTTP request and any error is an
     * ordinary JSON answer on the same socket.
     */
    acceptWebSocket?: () => Promise<WebSocket>;
  }
}

/** How long a closing handshake may take on shutdown before the socket is dropped. */
const CLOSE_GRACE_MS = 1_000;

/** Largest message a client may send (clients only listen; this bounds a hostile one). */
const MAX_CLIENT_MESSAGE_BYTES = 4 * 1024;

/**
 * WebSocket upgrades go through the Express app like any request, so they pass the same
 * request id, logging, authentication, rate limits and routing, and a refusal (401, 404,
 * 503 …) is the usual JSON error sent over HTTP before any upgrade. A route that wants the
 * socket calls `req.acceptWebSocket()` once its checks have passed.
 *
 * Browsers cannot set headers on a WebSocket, so a key may also come as the subprotocol
 * `bearer.<key>` (next to `argus.v1`); it is moved into the Authorization header first.
 */
export function attachWebSocketUpgrades(
  server: http.Server,
  app: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): { close(): void } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    // Answer with our own protocol name only; the key-carrying one is never echoed.
    handleProtocols: (protocols) => (protocols.has('argus.v1') ? 'argus.v1' : false),
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    moveProtocolKey(req);
    const res = new http.ServerResponse(req);
    res.assignSocket(socket as never);
    // An answer over HTTP ends the exchange: nothing else is read from this socket.
    res.on('finish', () => {
      res.detachSocket(socket as never);
      socket.end();
    });
    (req as Request).acceptWebSocket = () =>
      new Promise<WebSocket>((resolve) => {
        res.detachSocket(socket as never);
        wss.handleUpgrade(req, socket, head, (ws) => resolve(ws));
      });
    app(req, res);
  });
  return {
    close() {
      for (const ws of wss.clients) {
        ws.close(1001, 'the gateway is shutting down');
        // A client that does not answer the closing handshake must not hold the shutdown.
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      }
      wss.close();
    },
  };
}

function moveProtocolKey(req: http.IncomingMessage): void {
  if (req.headers.authorization) return;
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith('bearer.'));
  if (bearer) req.headers.authorization = `Bearer ${bearer.slice('bearer.'.length)}`;
}
