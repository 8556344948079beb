import express, { Router, type Request, type Response } from 'express';
import { AppError, StreamCreateSchema } from '@argus/contracts';
import { resolveModel, type Manifest } from '@argus/models';
import type { Redis } from 'ioredis';
import type { StreamStore } from '@argus/queue';
import type { CallbackPolicy } from '@argus/webhooks';
import { guardRedis } from '../http/redis-guard';
import { checkStreamUrl } from './stream-url-check';

export interface StreamsRouteDeps {
  streams: StreamStore;
  /** The gateway's connection; each events client gets its own duplicate for blocking reads. */
  redis: Redis;
  /** Checks the model id at registration; without it the worker reports an unknown model. */
  manifest?: Manifest;
  policy: CallbackPolicy;
  redisTimeoutMs: number;
}

/** How long one blocking read waits before the events loop checks the stream still exists. */
const EVENTS_BLOCK_MS = 5_000;

/** Live streams: register, list, read, delete, and follow processed frames as Server-Sent Events. */
export function streamsRouter(deps: StreamsRouteDeps): Router {
  const router = Router();
  const guard = <T>(op: () => Promise<T>) => guardRedis(op, deps.redisTimeoutMs);
  const requireView = async (id: string) => {
    const view = /^[0-9a-f-]{36}$/.test(id) ? await guard(() => deps.streams.view(id)) : null;
    if (!view) throw new AppError('not_found', `no stream with id ${id}`);
    return view;
  };

  router.post('/v1/streams', express.json({ limit: '16kb' }), async (req: Request, res: Response) => {
    const parsed = StreamCreateSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new AppError(
        'invalid_option',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    }
    const spec = parsed.data;
    await checkStreamUrl(spec.url, deps.policy);
    const model = deps.manifest
      ? resolveModel(deps.manifest, spec.task, spec.options.model).id
      : spec.options.model;
    const id = await guard(() => deps.streams.create({ ...spec, options: { ...spec.options, model } }));
    const view = await requireView(id);
    res.status(201).location(view.links.self).json(view);
  });

  router.get('/v1/streams', async (_req: Request, res: Response) => {
    const ids = await guard(() => deps.streams.ids());
    const views = await Promise.all(ids.map((id) => guard(() => deps.streams.view(id))));
    res.json({ streams: views.filter((v) => v !== null) });
  });

  router.get('/v1/streams/:id', async (req: Request, res: Response) => {
    res.json(await requireView(String(req.params.id)));
  });

  router.delete('/v1/streams/:id', async (req: Request, res: Response) => {
    const view = await requireView(String(req.params.id));
    await guard(() => deps.streams.delete(view.id));
    res.json({ ...view, state: 'stopped' });
  });

  router.get('/v1/streams/:id/events', async (req: Request, res: Response) => {
    const view = await requireView(String(req.params.id));
    res.status(200).set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    // Its own connection, for blocking reads; the offline queue lets the first read wait
    // for the connection instead of failing fast as the request path's commands do.
    const reader = deps.redis.duplicate({ enableOfflineQueue: true });
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
