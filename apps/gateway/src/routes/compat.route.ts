import { Router, type Request, type Response } from 'express';
import { AppError, type DetectResult, type ParseResult } from '@argus/contracts';
import type { JobService } from '../jobs/job.service';
import type { JobView } from '../jobs/job-view';
import { multipartImage } from '../uploads/multipart-image';
import { submitFromRequest, type UploadSettings } from './jobs.route';

/**
 * Synchronous endpoints that keep existing clients working: the original Flask service's
 * `POST /detect`, and the DeepStack / CodeProject.AI detection API that Frigate and Home
 * Assistant speak. Both run through the same queue and cache as `/v1/jobs`.
 */
export function compatRouter(jobs: JobService, settings: UploadSettings & { syncTimeoutMs: number }): Router {
  const router = Router();

  const runDetect = async (req: Request, fields: Record<string, unknown>): Promise<DetectResult> => {
    const outcome = await submitFromRequest(req, jobs, settings, 'detect', fields);
    const view: JobView = await jobs.waitFor(outcome.view, settings.syncTimeoutMs);
    if (view.error) throw new AppError(view.error.code, view.error.message);
    return view.result as DetectResult;
  };

  router.post('/detect', multipartImage('file', settings), async (req: Request, res: Response) => {
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
  });

  router.post(
    '/v1/vision/detection',
    multipartImage('image', settings),
    async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const started = Date.now();
      // DeepStack's default threshold is 0.4, also when the field is sent empty.
      const minConfidence =
        body.min_confidence === undefined || body.min_confidence === '' ? 0.4 : body.min_confidence;
      const result = await runDetect(req, { confidence: minConfidence, model: body.model });
      res.json({
        success: true,
        predictions: result.detections.map((d) => ({
          label: d.label,
          confidence: d.confidence,
          x_min: Math.round(d.box.x1),
          y_min: Math.round(d.box.y1),
          x_max: Math.round(d.box.x2),
          y_max: Math.round(d.box.y2),
        })),
        count: result.count,
        inferenceMs: Math.round(result.timings.inferMs),
        processMs: Date.now() - started,
        code: 200,
      });
    },
  );

  // The original M2FP service's API: the overlay comes back inline as base64 PNG.
  router.post('/api/parse', multipartImage('image', settings), async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fields = { model: body.model, threshold: body.threshold, alpha: body.alpha, mode: body.mode };
    const outcome = await submitFromRequest(req, jobs, settings, 'parse', fields);
    const view = await jobs.waitFor(outcome.view, settings.syncTimeoutMs);
    if (view.error) throw new AppError(view.error.code, view.error.message);
    const result = view.result as ParseResult;
    const overlay = await jobs.artifact(view.id, 'overlay.png');
    res.json({
      status: 'success',
      result_image: overlay.toString('base64'),
      num_persons: result.numPersons,
      parts_detected: result.partsDetected,
      job_id: view.id,
      // Present when the overlay was downscaled (MAX_RENDER_PIXELS), so the answer stays small.
      ...(result.overlay ? { result_image_size: result.overlay } : {}),
    });
  });

  return router;
}
