import { Router, type Request, type Response } from 'express';
import { AppError, TaskSchema, type Task } from '@argus/contracts';
import type { JobService, SubmitOutcome } from '../jobs/job.service';
import { multipartImage } from '../uploads/multipart-image';
import { validateImage } from '../uploads/validate-image';

export interface UploadSettings {
  maxUploadBytes: number;
  maxPixels: number;
}

/** Reads the task field of a submission; it is required so a typo never runs the wrong model. */
export function taskFrom(body: Record<string, unknown>): Task {
  const parsed = TaskSchema.safeParse(body.task);
  if (!parsed.success) {
    throw new AppError('invalid_option', `task must be one of: ${TaskSchema.options.join(', ')}`);
  }
  return parsed.data;
}

/** Validates the upload and the options, then submits; shared by every submit endpoint. */
export async function submitFromRequest(
  req: Request,
  jobs: JobService,
  settings: UploadSettings,
  task: Task,
  fields: Record<string, unknown> = req.body as Record<string, unknown>,
): Promise<SubmitOutcome> {
  jobs.parseOptions(task, fields);
  const image = await validateImage(req.file!.buffer, settings.maxPixels);
  return jobs.submit({ task, image, fields, requestId: req.requestId });
}

export function jobsRouter(jobs: JobService, settings: UploadSettings): Router {
  const router = Router();

  router.post('/v1/jobs', multipartImage('image', settings), async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const outcome = await submitFromRequest(req, jobs, settings, taskFrom(body), body);
    const done = outcome.view.status === 'completed' || outcome.view.status === 'failed';
    res
      .status(done ? 200 : 202)
      .location(outcome.view.links.self)
      .json(outcome.view);
  });

  router.get('/v1/jobs/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const view = await jobs.get(id);
    if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
    res.json(view);
  });

  return router;
}
