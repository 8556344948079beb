import type { Response, Router } from 'express';
import { strictRouter } from '../http/strict-router';
import { accessOf } from '../auth/access';
import { AppError, type SegmentResult } from '@argus/contracts';
import { decodeRle, encodeGrayPng } from '@argus/vision';
import type { JobService } from '../jobs/job.service';

/** The images a job produces, served from Redis by URL (never inlined in job data). */
export function artifactsRouter(jobs: JobService): Router {
  const router = strictRouter();
  const sendPng = (res: Response, bytes: Buffer) => {
    res.type('image/png').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  };
  const index = (raw: unknown, what: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 1000)
      throw new AppError('not_found', `${what} index must be 0, 1, 2, …`);
    return n;
  };

  router.get('/v1/jobs/:id/overlay.png', async (req, res) => {
    sendPng(res, await jobs.artifact(String(req.params.id), 'overlay.png', accessOf(req)));
  });
  router.get('/v1/jobs/:id/labels.png', async (req, res) => {
    sendPng(res, await jobs.artifact(String(req.params.id), 'labels.png', accessOf(req)));
  });
  router.get('/v1/jobs/:id/persons/:n/mask.png', async (req, res) => {
    const n = index(req.params.n, 'person');
    sendPng(res, await jobs.artifact(String(req.params.id), `person-${n}.png`, accessOf(req)));
  });
  // Instance masks are drawn here from the result's RLE rather than stored: the RLE already
  // holds every pixel, and most clients never ask for the PNG.
  router.get('/v1/jobs/:id/instances/:n/mask.png', async (req, res) => {
    const id = String(req.params.id);
    const n = index(req.params.n, 'instance');
    const view = await jobs.get(id, accessOf(req));
    if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
    if (view.task !== 'segment')
      throw new AppError('not_found', `job ${id} is a ${view.task} job; it has no instances`);
    if (view.status === 'queued' || view.status === 'active')
      throw new AppError('not_ready', `job ${id} is ${view.status}; its masks exist once it completes`);
    const instance = (view.result as SegmentResult | undefined)?.instances[n];
    if (!instance) throw new AppError('not_found', `job ${id} has no instance ${n}`);
    const [height, width] = instance.mask.size;
    const mask = decodeRle(instance.mask);
    for (let i = 0; i < mask.length; i++) if (mask[i]) mask[i] = 255;
    sendPng(res, encodeGrayPng(mask, width, height));
  });
  // Video jobs: the annotated MP4 and the contact sheet (see docs in README, "Video jobs").
  // Same owner scoping as every artifact: another key's video is a 404.
  router.get('/v1/jobs/:id/annotated.mp4', async (req, res) => {
    const bytes = await jobs.artifact(String(req.params.id), 'annotated.mp4', accessOf(req));
    res.type('video/mp4').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  });
  router.get('/v1/jobs/:id/contact-sheet.jpg', async (req, res) => {
    const bytes = await jobs.artifact(String(req.params.id), 'contact-sheet.jpg', accessOf(req));
    res.type('image/jpeg').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  });
  return router;
}
