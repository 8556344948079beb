import { Router, type Request, type Response } from 'express';
import { AppError, SubmissionSchema, TaskSchema, type Task } from '@argus/contracts';
import { md5Hex } from '@argus/queue';
import type { CallbackPolicy } from '@argus/webhooks';
import type { JobService, SubmitInput, SubmitOutcome } from '../jobs/job.service';
import { IdempotencyStore, requestFingerprint } from '../jobs/idempotency';
import { validateCallbackUrl } from '../jobs/callback-check';
import { multipartImage } from '../uploads/multipart-image';
import { validateImage } from '../uploads/validate-image';
import { validateVideo } from '../uploads/validate-video';

export interface UploadSettings {
  maxUploadBytes: number;
  maxPixels: number;
  /** Largest video upload (`POST /v1/jobs` only); images stay under `maxUploadBytes`. */
  maxVideoBytes?: number;
  /** Told of each upload read and each accepted submission (the gateway's metrics). */
  observer?: SubmitObserver;
}

export interface SubmitObserver {
  uploaded(bytes: number): void;
  submitted(task: Task, source: SubmitOutcome['source']): void;
}

export interface SubmitSettings extends UploadSettings {
  callbackPolicy: CallbackPolicy;
  webhookSecret?: string;
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
  extra: Pick<SubmitInput, 'callback' | 'priority'> = {},
  acceptVideo = false,
): Promise<SubmitOutcome> {
  settings.observer?.uploaded(req.file!.size);
  jobs.parseOptions(task, fields);
  const bytes = req.file!.buffer;
  const video = acceptVideo ? validateVideo(bytes, task, fields, settings.maxVideoBytes ?? 0) : null;
  if (!video && bytes.length > settings.maxUploadBytes) {
    throw new AppError('payload_too_large', `the file is larger than ${settings.maxUploadBytes} bytes`);
  }
  const image = video ?? (await validateImage(bytes, settings.maxPixels));
  const outcome = await jobs.submit({
    task,
    image,
    video: video?.options,
    fields,
    requestId: req.requestId,
    ...extra,
  });
  settings.observer?.submitted(task, outcome.source);
  return outcome;
}

/** callbackUrl, callbackEvents and priority: validated (and the URL checked) before anything is queued. */
async function submissionFrom(
  body: Record<string, unknown>,
  settings: SubmitSettings,
): Promise<Pick<SubmitInput, 'callback' | 'priority'>> {
  const parsed = SubmissionSchema.safeParse({
    callbackUrl: body.callbackUrl || undefined,
    callbackEvents: body.callbackEvents || undefined,
    priority: body.priority || undefined,
  });
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    const code = parsed.error.issues.some((i) => i.path[0] === 'callbackUrl')
      ? 'invalid_callback_url'
      : 'invalid_option';
    throw new AppError(code, problem);
  }
  const { callbackUrl, callbackEvents, priority } = parsed.data;
  if (!callbackUrl) return { priority };
  const url = await validateCallbackUrl(callbackUrl, settings.callbackPolicy, settings.webhookSecret);
  return { priority, callback: { url, events: callbackEvents } };
}

export function jobsRouter(
  jobs: JobService,
  settings: SubmitSettings,
  idempotency: IdempotencyStore,
): Router {
  const router = Router();

  // The body may be a video, so multer's bound is the larger of the two limits; the
  // image limit is checked again once the upload is known to be an image.
  const uploadLimit = { maxUploadBytes: Math.max(settings.maxUploadBytes, settings.maxVideoBytes ?? 0) };
  router.post('/v1/jobs', multipartImage('image', uploadLimit), async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const task = taskFrom(body);
    const extra = await submissionFrom(body, settings);
    const send = (outcome: Pick<SubmitOutcome, 'view'>, replayed: boolean) => {
      const done = ['completed', 'failed', 'canceled'].includes(outcome.view.status);
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      res
        .status(done ? 200 : 202)
        .location(outcome.view.links.self)
        .json(outcome.view);
    };

    const rawKey = req.get('idempotency-key');
    if (!rawKey) {
      send(await submitFromRequest(req, jobs, settings, task, body, extra, true), false);
      return;
    }
    const key = IdempotencyStore.validateKey(rawKey);
    const fingerprint = requestFingerprint(task, md5Hex(req.file!.buffer), body);
    const claim = await idempotency.claim(key, fingerprint);
    if (claim.kind === 'replay') {
      const view = await jobs.get(claim.jobId);
      if (view) {
        send({ view }, true);
        return;
      }
    }
    if (claim.kind === 'in-progress') {
      throw new AppError(
        'idempotency_in_progress',
        'a request with this Idempotency-Key is still being processed; retry shortly',
      );
    }
    try {
      const outcome = await submitFromRequest(req, jobs, settings, task, body, extra, true);
      await idempotency.complete(key, fingerprint, outcome.view.id);
      send(outcome, false);
    } catch (err) {
      await idempotency.release(key, fingerprint).catch(() => undefined);
      throw err;
    }
  });

  router.get('/v1/jobs/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const view = await jobs.get(id);
    if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
    res.json(view);
  });

  return router;
}
