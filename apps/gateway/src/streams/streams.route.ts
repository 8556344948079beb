import express, { type Request, type Response, type Router } from 'express';
import { AppError, StreamCreateSchema } from '@argus/contracts';
import { blockingConnection, type Redis, type StreamStore } from '@argus/queue';
import type { CallbackPolicy } from '@argus/webhooks';
import { strictRouter, type RouteGuards } from '../http/strict-router';
import { accessOf, canSee, ownerOf, type Access } from '../auth/access';
import { checkStreamUrl } from './stream-url-check';

export interface StreamsRouteDeps {
  streams: StreamStore;
  /** The gateway's connection; each events client gets its own duplicate for blocking reads. */
  redis: Redis;
  /**
   * The detect model a stream runs (the default when none is named); throws the same 400s
   * as a job naming an unknown or uninstalled model. Without it the worker reports them.
   */
  resolveModel?: (model: string | undefined) => string;
  policy: CallbackPolicy;
  /** The per-key rate limit and quota: registering a stream is a submission. */
  guards: Pick<RouteGuards, 'submitLimit'>;
}

/** How long one blocking read waits before the events loop checks the stream still exists. */
const EVENTS_BLOCK_MS = 5_000;

/**
 * Live streams: register, list, read, delete, and follow processed frames as Server-Sent
 * Events. A stream belongs to the API key that registered it, like a job: another client
 * key gets 404 for it and does not see it in the list; admin keys see every stream.
 */
export function streamsRouter(deps: StreamsRouteDeps): Router {
  const router = strictRouter();
  const requireView = async (id: string, access: Access) => {
    const entry = /^[0-9a-f-]{36}$/.test(id) ? await deps.streams.entry(id) : null;
    if (!entry || !canSee(access, entry.owner)) throw new AppError('not_found', `no stream with id ${id}`);
    return entry.view;
  };

  // The limit comes before the body is read, as on every submit route.
  router.post(
    '/v1/streams',
    deps.guards.submitLimit,
    express.json({ limit: '16kb' }),
    async (req: Request, res: Response) => {
      const parsed = StreamCreateSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new AppError(
          'invalid_option',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      }
      const spec = parsed.data;
      const access = accessOf(req);
      await checkStreamUrl(spec.url, deps.policy);
      const model = deps.resolveModel ? deps.resolveModel(spec.options.model) : spec.options.model;
      const id = await deps.streams.create({ ...spec, options: { ...spec.options, model } }, ownerOf(access));
      const view = await requireView(id, access);
      res.status(201).location(view.links.self).json(view);
    },
  );

  router.get('/v1/streams', async (req: Request, res: Response) => {
    const access = accessOf(req);
    const ids = await deps.streams.ids();
    const entries = await Promise.all(ids.map((id) => deps.streams.entry(id)));
    const streams = entries.filter((e) => e !== null && canSee(access, e.owner)).map((e) => e!.view);
    res.json({ streams });
  });

  router.get('/v1/streams/:id', async (req: Request, res: Response) => {
    res.json(await requireView(String(req.params.id), accessOf(req)));
  });

  router.delete('/v1/streams/:id', async (req: Request, res: Response) => {
    const view = await requireView(String(req.params.id), accessOf(req));
    await deps.streams.delete(view.id);
    res.json({ ...view, state: 'stopped' });
  });

  router.get('/v1/streams/:id/events', async (req: Request, res: Response) => {
    const view = await requireView(String(req.params.id), accessOf(req));
    res.status(200).set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    // Its own connection, for blocking reads (see blockingConnection).
    const reader = blockingConnection(deps.redis);
    reader.on('error', () => undefined);
    let open = true;
    // res, not req: a request's 'close' fires as soon as its (empty) body has been read.
    res.on('close', () => {
      open = false;
      reader.disconnect();
    });
    let lastId = String(req.get('last-event-id') ?? '$');
    try {
      while (open) {
        const events = await deps.streams.readEvents(reader, view.id, lastId, EVENTS_BLOCK_MS);
        for (const e of events) {
          res.write(`id: ${e.id}\nevent: frame\ndata: ${e.json}\n\n`);
          lastId = e.id;
        }
        if (events.length === 0) {
          if (!(await deps.streams.view(view.id))) {
            res.write('event: end\ndata: {"state":"stopped"}\n\n');
            break;
          }
          res.write(': keep-alive\n\n');
        }
      }
    } catch {
      // The client went away (the reader was disconnected) or Redis failed: end the stream.
    } finally {
      reader.disconnect();
      res.end();
    }
  });

  return router;
}
