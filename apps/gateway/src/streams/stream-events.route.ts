import type { Request, Response, Router } from 'express';
import { AppError } from '@argus/contracts';
import type { FeedSignal, FeedSubscription, StreamFeeds } from '@argus/queue';
import type { WebSocket } from 'ws';
import { strictRouter } from '../http/strict-router';

export interface StreamEventsDeps {
  feeds: StreamFeeds;
  /** The caller's stream, or 404 (unknown id, or another key's stream). */
  requireView: (id: string, req: Request) => Promise<{ id: string }>;
  /** CORS_ORIGINS: the other origins whose pages may open a WebSocket here. */
  corsOrigins: readonly string[];
}

/** A client that stops reading is cut off once this much waits for it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * `GET /v1/streams/:id/events`: processed frames as Server-Sent Events, or, on a WebSocket
 * upgrade of the same URL, as WebSocket messages: same auth, owner scoping and events. One
 * Redis reader per stream serves every client of it (`StreamFeeds`). Both resume: SSE from
 * `Last-Event-ID`, WebSocket from `?lastEventId=` (browsers cannot set its headers).
 *
 * WebSocket messages are JSON text: `{"event":"frame","id":…,"data":{StreamFrameEvent}}`,
 * `{"event":"ping"}` while the stream is quiet, and `{"event":"end","data":{"state":"stopped"}}`
 * before the socket closes with 1000. A gateway shutting down closes with 1001, a Redis
 * failure with 1011, a client too slow to read with 1008; it reconnects with the last id.
 */
export function streamEventsRouter(deps: StreamEventsDeps): Router {
  const router = strictRouter();

  router.get('/v1/streams/:id/events', async (req: Request, res: Response) => {
    const view = await deps.requireView(String(req.params.id), req);
    if (req.acceptWebSocket) {
      checkOrigin(req, deps.corsOrigins);
      const sub = deps.feeds.open(view.id);
      const lastId = typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined;
      let ws: WebSocket;
      try {
        ws = await req.acceptWebSocket();
      } catch (err) {
        sub.close();
        throw err;
      }
      serveWebSocket(ws, sub, lastId);
      return;
    }
    const sub = deps.feeds.open(view.id);
    res.status(200).set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    // res, not req: a request's 'close' fires as soon as its (empty) body has been read.
    res.on('close', () => sub.close());
    await sub.start(req.get('last-event-id') ?? undefined, (signal: FeedSignal) => {
      if (signal.kind === 'events') {
        for (const e of signal.events) res.write(`id: ${e.id}\nevent: frame\ndata: ${e.json}\n\n`);
        if (res.writableLength > MAX_BUFFERED_BYTES) res.end();
      } else if (signal.kind === 'idle') res.write(': keep-alive\n\n');
      else {
        if (signal.reason === 'stopped') res.write('event: end\ndata: {"state":"stopped"}\n\n');
        res.end();
      }
    });
  });

  return router;
}

function serveWebSocket(ws: WebSocket, sub: FeedSubscription, lastId: string | undefined): void {
  ws.on('close', () => sub.close());
  ws.on('error', () => ws.terminate());
  // Clients only listen; what they send is ignored.
  ws.on('message', () => undefined);
  void sub.start(lastId, (signal) => {
    if (ws.readyState !== ws.OPEN) return;
    if (signal.kind === 'events') {
      for (const e of signal.events) ws.send(`{"event":"frame","id":"${e.id}","data":${e.json}}`);
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES)
        ws.close(1008, 'client too slow; reconnect with lastEventId');
    } else if (signal.kind === 'idle') ws.send('{"event":"ping"}');
    else if (signal.reason === 'stopped') {
      ws.send('{"event":"end","data":{"state":"stopped"}}');
      ws.close(1000, 'stream stopped');
    } else if (signal.reason === 'closing') ws.close(1001, 'the gateway is shutting down');
    else ws.close(1011, 'event source failed; reconnect with lastEventId');
  });
}

/**
 * Browsers send any page's WebSocket without CORS checks; keys are not cookies, so this
 * matters only for an open API, but a page from elsewhere should not read it then either.
 */
function checkOrigin(req: Request, corsOrigins: readonly string[]): void {
  const origin = req.get('origin');
  if (!origin || corsOrigins.includes('*') || corsOrigins.includes(origin)) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== req.get('host'))
    throw new AppError('forbidden', `WebSocket from origin ${origin} is not allowed (CORS_ORIGINS)`);
}
