import type { Request, Response, Router } from 'express';
import { strictRouter, type RouteGuards } from '../http/strict-router';
import { accessOf, ownerOf } from '../auth/access';
import { AppError, SubmissionSchema, TaskSchema, type Task } from '@argus/contracts';
import { IdempotencyStore, md5Hex, requestFingerprint } from '@argus/queue';
import type { CallbackPolicy } from '@argus/webhooks';
import type { JobService, SubmitInput, SubmitOutcome } from '../jobs/job.service';

import { validateCallbackUrl } from '../jobs/callback-check';
import { isTerminal, preferWaitSeconds, waitForView, waitSecondsFromQuery } from '../jobs/job-wait';
import type { JobWaiters } from '../jobs/job-waiters';
import { multipartImage } from '../uploads/multipart-image';
import { validateImage } from '../uploads/validate-image';
import { validateVideo } from '../uploads/validate-video';

export interface UploadSettings {
  maxUploadBytes: number;
  maxPixels: number;
  /** Decode-cost bounds of JPEGs (422 image_too_complex). */
  maxJpegScans?: number;
  maxJpegScanPixels?: number;
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

const TASKS: ReadonlySet<Task> = new Set(TaskSchema.options);

/** Reads the task field of a submission; it is required so a typo never runs the wrong model. */
export function taskFrom(body: Record<string, unknown>): Task {
  // The hit path: a known task name needs no schema run.
  if (TASKS.has(body.task as Task)) return body.task as Task;
  const parsed = TaskSchema.safeParse(body.task);
  if (!parsed.success) {
    throw new AppError('invalid_option', `task must be one of: ${TaskSchema.options.join(', ')}`);
  }
  return parsed.data;
}

/**
 * Submits an upload; shared by every submit endpoint. Options are checked first, then the
 * result cache; the image itself is checked only on a miss (see JobService.submit).
 */
export async function submitFromRequest(
  req: Request,
  jobs: JobService,
  settings: UploadSettings,
  task: Task,
  fields: Record<string, unknown> = req.body as Record<string, unknown>,
  extra: Pick<SubmitInput, 'callback' | 'priority' | 'md5'> = {},
  acceptVideo = false,
): Promise<SubmitOutcome> {
  settings.observer?.uploaded(req.file!.size);
  const bytes = req.file!.buffer;
  // A video is recognised by its magic bytes (cheap, no decoding); the worker probes it.
  const video = acceptVideo ? validateVideo(bytes, task, fields, settings.maxVideoBytes ?? 0) : null;
  // On /v1/jobs multer admits up to the video limit; an image must still fit its own.
  if (!video && bytes.length > settings.maxUploadBytes) {
    throw new AppError('payload_too_large', `the file is larger than ${settings.maxUploadBytes} bytes`);
  }
  const outcome = await jobs.submit({
    task,
    bytes,
    checkImage: video
      ? async () => undefined
      : (upload) =>
          validateImage(upload, settings.maxPixels, {
            maxJpegScans: settings.maxJpegScans,
            maxJpegScanPixels: settings.maxJpegScanPixels,
          }),
    video: video?.options,
    fields,
    requestId: req.requestId,
    access: accessOf(req),
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
  // Most submissions carry none of these: nothing to validate (the hit path stays short).
  if (!body.callbackUrl && !body.callbackEvents && !body.priority) return {};
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
  guards: Pick<RouteGuards, 'submitLimit'>,
  waiters: JobWaiters,
): Router {
  const router = strictRouter();

  // The body may be a video, so multer's bound is the larger of the two limits; the image
  // limit is checked again once the upload is known to be an image (submitFromRequest).
  // Memory stays bounded by the upload budget, which reserves up to this bound.
  const uploadLimit = { maxUploadBytes: Math.max(settings.maxUploadBytes, settings.maxVideoBytes ?? 0) };
  // The limit comes before the upload is read: a client over its rate costs no upload.
  router.post(
    '/v1/jobs',
    guards.submitLimit,
    multipartImage('image', uploadLimit),
    async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const task = taskFrom(body);
      const extra = await submissionFrom(body, settings);
      const access = accessOf(req);
      // Prefer: wait=N (RFC 7240): hold the answer until the job ends, for up to N seconds.
      const preferWait = preferWaitSeconds(req.get('prefer'));
      const send = async (outcome: Pick<SubmitOutcome, 'view'>, replayed: boolean) => {
        let view = outcome.view;
        if (preferWait !== undefined) {
          // The job exists by now: a wait that cannot be had (too many waiters, shutting
          // down, Redis gone) must not turn its acceptance into an error, so it answers 202.
          const waited = isTerminal(view)
            ? view
            : await waitForView(jobs, waiters, view.id, access, preferWait, abortOnClose(res), view).catch(
                () => undefined,
              );
          if (waited) {
            view = waited;
            res.setHeader('Preference-Applied', `wait=${preferWait}`);
          }
        }
        if (replayed) res.setHeader('Idempotent-Replayed', 'true');
        res
          .status(isTerminal(view) ? 200 : 202)
          .location(view.links.self)
          .json(view);
      };

      const rawKey = req.get('idempotency-key');
      if (!rawKey) {
        await send(await submitFromRequest(req, jobs, settings, task, body, extra, true), false);
        return;
      }
      const key = IdempotencyStore.validateKey(rawKey);
      // Idempotency-Keys belong to the API key that sent them (one namespace in open mode).
      const owner = ownerOf(access) ?? '';
      // The MD5 is computed once: the fingerprint and the submission share it.
      const md5 = md5Hex(req.file!.buffer);
      const fingerprint = requestFingerprint(task, md5, body);
      const claim = await idempotency.claim(owner, key, fingerprint);
      if (claim.kind === 'replay') {
        const view = await jobs.get(claim.jobId, access);
        if (view) {
          await send({ view }, true);
          return;
        }
      }
      if (claim.kind === 'in-progress') {
        throw new AppError(
          'idempotency_in_progress',
          'a request with this Idempotency-Key is still being processed; retry shortly',
        );
      }
      let outcome: SubmitOutcome;
      try {
        outcome = await submitFromRequest(req, jobs, settings, task, body, { ...extra, md5 }, true);
        await idempotency.complete(owner, key, fingerprint, outcome.view.id);
      } catch (err) {
        await idempotency.release(owner, key, fingerprint).catch(() => undefined);
        throw err;
      }
      await send(outcome, false);
    },
  );

  // ?wait=N: long-poll, answered as soon as the job ends or after N seconds.
  router.get('/v1/jobs/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const wait = waitSecondsFromQuery(req.query.wait);
    const access = accessOf(req);
    const view =
      wait > 0
        ? await waitForView(jobs, waiters, id, access, wait, abortOnClose(res))
        : await jobs.get(id, access);
    if (!view) throw new AppError('not_found', `no job with id ${id} (it may have expired)`);
    res.json(view);
  });

  return router;
}

/** Aborted when the client goes away, so its waiter is released at once. */
function abortOnClose(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}
