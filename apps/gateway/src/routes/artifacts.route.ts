import type { Router } from 'express';
import { strictRouter } from '../http/strict-router';
import { accessOf } from '../auth/access';
import { type Response } from 'express';
import { AppError } from '@argus/contracts';
import type { JobService } from '../jobs/job.service';

/** The images a parse job produces, served from Redis by URL (never inlined in job data). */
export function artifactsRouter(jobs: JobService): Router {
  const router = strictRouter();
  const sendPng = (res: Response, bytes: Buffer) => {
    res.type('image/png').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  };

  router.get('/v1/jobs/:id/overlay.png', async (req, res) => {
    sendPng(res, await jobs.artifact(String(req.params.id), 'overlay.png', accessOf(req)));
  });
  router.get('/v1/jobs/:id/labels.png', async (req, res) => {
    sendPng(res, await jobs.artifact(String(req.params.id), 'labels.png', accessOf(req)));
  });
  router.get('/v1/jobs/:id/persons/:n/mask.png', async (req, res) => {
    const n = Number(req.params.n);
    if (!Number.isInteger(n) || n < 0 || n > 1000)
      throw new AppError('not_found', 'person index must be 0, 1, 2, …');
    sendPng(res, await jobs.artifact(String(req.params.id), `person-${n}.png`, accessOf(req)));
  });
  return router;
}
