/**
 * The inline baseline: the architecture of the original Flask articles, in Node. One HTTP
 * process whose request handler decodes the upload and runs the same ONNX session (same
 * file, same threads, same pre- and postprocessing) inside the request; no queue, no
 * Redis. `run()` blocks the process's only event loop while it runs, as the Flask handler
 * holds its worker. Started as a child process by the benchmark; prints its URL.
 */
import express from 'express';
import multer from 'multer';
import { AppError, DetectOptionsSchema } from '@argus/contracts';
import { detectImage, loadDetectModel, manifestPathFor, readManifest } from '@argus/models';
import { ImageError } from '@argus/vision';

async function main(): Promise<void> {
  const modelsDir = process.env.MODELS_DIR ?? '';
  const modelId = process.env.MODEL_ID ?? 'yolov8n';
  const threads = Number(process.env.INTRA_OP_THREADS ?? '0');
  const entry = readManifest(manifestPathFor(modelsDir)).models.find((m) => m.id === modelId);
  if (!entry) throw new Error(`model ${modelId} is not in the manifest`);
  const model = await loadDetectModel(entry, modelsDir, { intraOpThreads: threads });
  const options = DetectOptionsSchema.parse({ model: modelId });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 10 * 1024 * 1024 } });

  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/detect', upload.single('file'), async (req, res) => {
    if (!req.file) {
      res.status(400).json({ success: false, error: { code: 'missing_image' } });
      return;
    }
    try {
      const result = await detectImage(model, req.file.buffer, options, { maxPixels: 40_000_000 });
      res.json({ success: true, detections: result.detections, count: result.count });
    } catch (err) {
      const known = err instanceof AppError || err instanceof ImageError;
      res
        .status(known ? 422 : 500)
        .json({ success: false, error: { code: known ? err.code : 'inference_failed' } });
    }
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`inline listening url=http://127.0.0.1:${port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`inline server failed: ${err.message}\n`);
  process.exit(1);
});
