import express, { type Request, type Response, type Router } from 'express';
import { AppError, StreamCreateSchema, type StreamCreate } from '@argus/contracts';
import type { DeliveryLog, StreamFeeds, StreamStore } from '@argus/queue';
import type { CallbackPolicy } from '@argus/webhooks';
import { strictRouter, type RouteGuards } from '../http/strict-router';
import { accessOf, canSee, ownerOf, type Access } from '../auth/access';
import { validateCallbackUrl } from '../jobs/callback-check';
import { pageOf } from '../routes/lifecycle.route';
import { checkStreamUrl } from './stream-url-check';
import { streamEventsRouter } from './stream-events.route';

export interface StreamsRouteDeps {
  streams: StreamStore;
  /** Stream events for SSE and WebSocket clients: one Redis reader per stream. */
  feeds: StreamFeeds;
  /** CORS_ORIGINS: other origins whose pages may open the events WebSocket. */
  corsOrigins?: readonly string[];
  /**
   * The model a stream runs (the task's default when none is named); throws the same 400s
   * as a job naming an unknown or uninstalled model. Without it the worker reports them.
   */
  resolveModel?: (task: StreamCreate['task'], model: string | undefined) => string;
  policy: CallbackPolicy;
  /** Where track webhooks may go (the job webhooks' guard), and the secret that signs them. */
  callbackPolicy?: CallbackPolicy;
  webhookSecret?: string;
  /** The webhook delivery log (track deliveries are listed under the stream id). */
  deliveries: DeliveryLog;
  /** The per-key rate limit and quota: registering a stream is a submission. */
  guards: Pick<RouteGuards, 'submitLimit'>;
}

/**
 * Live streams: register, list, read, delete, see the latest frame, and follow processed
 * frames as Server-Sent Events or over a WebSocket (stream-events.route.ts). A stream belongs
 * to the API key that registered it, like a job: another client key gets 404 for it and does
 * not see it in the list; admin keys see every stream.
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
      if (spec.callbackUrl !== undefined)
        spec.callbackUrl = await validateCallbackUrl(
          spec.callbackUrl,
          deps.callbackPolicy ?? { allowPrivate: false, allowedHosts: [] },
          deps.webhookSecret,
        );
      // Resolved in place: the spec is a union by task, and its options stay the task's own.
      if (deps.resolveModel) spec.options.model = deps.resolveModel(spec.task, spec.options.model);
      const id = await deps.streams.create(spec, ownerOf(access));
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

  // The latest processed frame (JPEG) with its `seq`, so a viewer can draw an event's boxes
  // over the picture they belong to (the WebUI's live view).
  router.get('/v1/streams/:id/frame', async (req: Request, res: Response) => {
    const view = await requireView(String(req.params.id), accessOf(req));
    const frame = await deps.streams.frame(view.id);
    if (!frame) throw new AppError('not_found', `stream ${view.id} has no processed frame yet`);
    res
      .set({ 'Cache-Control': 'no-store', 'X-Frame-Seq': String(frame.seq) })
      .type('image/jpeg')
      .send(frame.jpeg);
  });

  router.get('/v1/streams/:id/deliveries', async (req: Request, res: Response) => {
    const page = pageOf(req.query);
    const view = await requireView(String(req.params.id), accessOf(req));
    const listing = await deps.deliveries.list(view.id, page);
    res.json({ streamId: view.id, ...listing });
  });

  router.delete('/v1/streams/:id', async (req: Request, res: Response) => {
    const view = await requireView(String(req.params.id), accessOf(req));
    await deps.streams.delete(view.id);
    res.json({ ...view, state: 'stopped' });
  });

  router.use(
    streamEventsRouter({
      feeds: deps.feeds,
      requireView: (id, req) => requireView(id, accessOf(req)),
      corsOrigins: deps.corsOrigins ?? [],
    }),
  );

  return router;
}
