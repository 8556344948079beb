import type { Request, Response, Router } from 'express';
import { strictRouter, type RouteGuards } from '../http/strict-router';
import { accessOf } from '../auth/access';
import { deepstackAuth } from '../auth/deepstack-key';
import { AppError, type DetectResult, type ParseResult, type SegmentResult } from '@argus/contracts';
import type { JobService } from '../jobs/job.service';
import type { JobView } from '../jobs/job-view';
import { multipartFields, multipartImage } from '../uploads/multipart-image';
import { submitFromRequest, type UploadSettings } from './jobs.route';

/**
 * Synchronous endpoints that keep existing clients working: the original Flask service's
 * `POST /detect`, and the DeepStack / CodeProject.AI detection API that Frigate and Home
 * Assistant speak, with its custom-model routes. All run through the same queue and cache as
 * `/v1/jobs`.
 */

/** The tasks a DeepStack custom model may serve: both answer with boxes. */
const CUSTOM_TASKS = new Set(['detect', 'segment']);

/** DeepStack's default threshold is 0.4, also when the field is sent empty. */
function minConfidenceOf(body: Record<string, unknown>): unknown {
  return body.min_confidence === undefined || body.min_confidence === '' ? 0.4 : body.min_confidence;
}

interface BoxedResult {
  detections: DetectResult['detections'];
  timings: { inferMs: number };
}

/** DeepStack's answer: integer pixel corners, plus CodeProject.AI's timing fields. */
function deepstackAnswer(result: BoxedResult, started: number) {
  return {
    success: true,
    predictions: result.detections.map((d) => ({
      label: d.label,
      confidence: d.confidence,
      x_min: Math.round(d.box.x1),
      y_min: Math.round(d.box.y1),
      x_max: Math.round(d.box.x2),
      y_max: Math.round(d.box.y2),
    })),
    count: result.detections.length,
    inferenceMs: Math.round(result.timings.inferMs),
    processMs: Date.now() - started,
    code: 200,
  };
}
export function compatRouter(
  jobs: JobService,
  settings: UploadSettings & { syncTimeoutMs: number },
  guards: RouteGuards,
): Router {
  const router = strictRouter();
  // DeepStack clients may send the key as the form field api_key (auth/deepstack-key.ts).
  const deepstack = deepstackAuth(multipartImage('image', settings), guards);
  const deepstackList = deepstackAuth(multipartFields(settings), guards, { submission: false });

  const runDetect = async (req: Request, fields: Record<string, unknown>): Promise<DetectResult> => {
    const outcome = await submitFromRequest(req, jobs, settings, 'detect', fields);
    const view: JobView = await jobs.waitFor(outcome.view, settings.syncTimeoutMs, accessOf(req));
    if (view.error) throw new AppError(view.error.code, view.error.message);
    return view.result as DetectResult;
  };

  router.post(
    '/detect',
    guards.submitLimit,
    multipartImage('file', settings),
    async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const result = await runDetect(req, { confidence: body.confidence, iou: body.iou, model: body.model });
      res.json({
        success: true,
        detections: result.detections.map((d) => ({
          class: d.label,
          confidence: d.confidence,
          bbox: [d.box.x1, d.box.y1, d.box.x2, d.box.y2],
        })),
        count: result.count,
      });
    },
  );

  router.post('/v1/vision/detection', ...deepstack, async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const started = Date.now();
    const result = await runDetect(req, { confidence: minConfidenceOf(body), model: body.model });
    res.json(deepstackAnswer(result, started));
  });

  // DeepStack / CodeProject.AI custom models: every detection and segmentation model of the
  // manifest, by id. CodeProject.AI answers the list on GET and POST; so do we.
  const customModels = () => jobs.manifest.models.filter((m) => CUSTOM_TASKS.has(m.task)).map((m) => m.id);
  const listModels = (_req: Request, res: Response) => {
    res.json({ success: true, models: customModels() });
  };
  router.get('/v1/vision/custom/list', listModels);
  router.post('/v1/vision/custom/list', ...deepstackList, listModels);
  const knownModel = (req: Request) => {
    const id = String(req.params.model);
    if (!customModels().includes(id)) {
      throw new AppError(
        'not_found',
        `no custom model "${id}"; POST /v1/vision/custom/list lists them (${customModels().join(', ')})`,
      );
    }
  };
  router.post(
    '/v1/vision/custom/:model',
    (req: Request, _res: Response, next) => {
      // A caller already known by its Authorization header learns of an unknown model before
      // its upload is read; one whose key is in the form learns nothing before the key checks.
      if (req.access) knownModel(req);
      next();
    },
    ...deepstack,
    (req: Request, _res: Response, next) => {
      knownModel(req);
      next();
    },
    async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const started = Date.now();
      const entry = jobs.manifest.models.find((m) => m.id === String(req.params.model))!;
      const task = entry.task === 'segment' ? 'segment' : 'detect';
      // Segmentation models answer with their boxes here; the overlay is skipped (latency).
      const fields = {
        confidence: minConfidenceOf(body),
        model: entry.id,
        ...(task === 'segment' ? { overlay: 'false' } : {}),
      };
      const outcome = await submitFromRequest(req, jobs, settings, task, fields);
      const view = await jobs.waitFor(outcome.view, settings.syncTimeoutMs, accessOf(req));
      if (view.error) throw new AppError(view.error.code, view.error.message);
      const result =
        task === 'segment'
          ? {
              detections: (view.result as SegmentResult).instances,
              timings: (view.result as SegmentResult).timings,
            }
          : (view.result as DetectResult);
      res.json(deepstackAnswer(result, started));
    },
  );

  // The original M2FP service's API: the overlay comes back inline as base64 PNG.
  router.post(
    '/api/parse',
    guards.submitLimit,
    multipartImage('image', settings),
    async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const fields = { model: body.model, threshold: body.threshold, alpha: body.alpha, mode: body.mode };
      const outcome = await submitFromRequest(req, jobs, settings, 'parse', fields);
      const view = await jobs.waitFor(outcome.view, settings.syncTimeoutMs, accessOf(req));
      if (view.error) throw new AppError(view.error.code, view.error.message);
      const result = view.result as ParseResult;
      const overlay = await jobs.artifact(view.id, 'overlay.png', accessOf(req));
      res.json({
        status: 'success',
        result_image: overlay.toString('base64'),
        num_persons: result.numPersons,
        parts_detected: result.partsDetected,
        job_id: view.id,
        // Present when the overlay was downscaled (MAX_RENDER_PIXELS), so the answer stays small.
        ...(result.overlay ? { result_image_size: result.overlay } : {}),
      });
    },
  );

  return router;
}
