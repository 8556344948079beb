import { Router, type Response } from 'express';
import { AppError } from '@argus/contracts';
import type { JobService } from '../jobs/job.service';

/** The images a parse job produces, served from Redis by URL (never inlined in job data). */
export function artifactsRouter(jobs: JobService): Router {
  const router = Router();
  const sendPng = (res: Response, bytes: Buffer) => {
    res.type('image/png').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  };

  router.get('/v1/jobs/:id/overlay.png', async (req, res) => {
    sendPng(res, await jobs.artifact(String(req.params.id), 'overlay.png'));
  });
  router.get('/v1/jobs/:id/labels.png', async (req, res) => {
    sendPng(res, await jobs.artifact(String(req.params.id), 'labels.png'));
  });
  router.get('/v1/jobs/:id/persons/:n/mask.png', async (req, res) => {
    const n = Number(req.params.n);
    if (!Number.isInteger(n) || n < 0 || n > 1000)
      throw new AppError('not_found', 'person index must be 0, 1, 2, …');
    sendPng(res, await jobs.artifact(String(req.params.id), `person-${n}.png`));
  });
  // Video jobs: the annotated MP4 and the contact sheet (see docs in README, "Video jobs").
  router.get('/v1/jobs/:id/annotated.mp4', async (req, res) => {
    const bytes = await jobs.artifact(String(req.params.id), 'annotated.mp4');
    res.type('video/mp4').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  });
  router.get('/v1/jobs/:id/contact-sheet.jpg', async (req, res) => {
    const bytes = await jobs.artifact(String(req.params.id), 'contact-sheet.jpg');
    res.type('image/jpeg').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  });
  return router;
}
