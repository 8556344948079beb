/**
 * Segmentation, the DeepStack / CodeProject.AI custom-model routes and the Open Inference
 * Protocol health routes, through the real HTTP API: gateway → Redis/BullMQ → worker (real
 * int8 YOLOv8n-seg) → Redis → client. The worker loads two of the detectors so per-model
 * readiness has a model that no worker serves.
 */
import sharp from 'sharp';
import { decodeRle } from '@argus/vision';
import { sample, sleep, startPlatform, type Platform } from './support/platform';

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({
    workers: 1,
    workerEnv: { WORKER_TASKS: 'detect,segment', WORKER_MODELS: 'yolov8n,yolov8n-seg' },
  });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

type Instance = {
  label: string;
  confidence: number;
  box: { x1: number; y1: number; x2: number; y2: number };
  mask: { size: [number, number]; counts: number[] };
  area: number;
};

async function fetchPng(route: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(`${platform.url}${route}`);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

describe('POST /v1/jobs task=segment', () => {
  let job: {
    id: string;
    result: { instances: Instance[]; image: { width: number; height: number } };
    links: any;
  };

  beforeAll(async () => {
    const submit = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'segment' });
    expect(submit.status).toBe(202);
    expect(submit.body).toMatchObject({ task: 'segment', status: 'queued' });
    job = await platform.waitForJob(submit.body.id, 60_000);
  }, 90_000);

  it('completes with the bus and three people, each with an RLE mask at original resolution', () => {
    expect(job).toMatchObject({ status: 'completed' });
    const { instances, image } = job.result;
    expect(image).toEqual({ width: 810, height: 1080 });
    expect(instances.slice(0, 4).map((i) => i.label)).toEqual(['bus', 'person', 'person', 'person']);
    for (const inst of instances) {
      expect(inst.mask.size).toEqual([1080, 810]);
      expect(inst.area).toBeGreaterThan(0);
      expect(inst.mask.counts.reduce((a, b) => a + b, 0)).toBe(810 * 1080);
    }
  });

  it('links the overlay and one mask per instance, and serves them as PNGs', async () => {
    const { id } = job;
    expect(job.links.overlay).toBe(`/v1/jobs/${id}/overlay.png`);
    expect(job.links.masks).toEqual(
      job.result.instances.map((_, n) => `/v1/jobs/${id}/instances/${n}/mask.png`),
    );

    const overlay = await fetchPng(job.links.overlay);
    expect(overlay.status).toBe(200);
    expect(overlay.type).toBe('image/png');
    expect(await sharp(overlay.bytes).metadata()).toMatchObject({ width: 810, height: 1080 });

    // The mask PNG holds exactly the RLE's pixels (255 = set).
    const png = await fetchPng(job.links.masks[1]);
    expect(png.status).toBe(200);
    expect(await sharp(png.bytes).metadata()).toMatchObject({ width: 810, height: 1080, channels: 1 });
    const { data } = await sharp(png.bytes).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const rle = decodeRle(job.result.instances[1].mask);
    let differ = 0;
    for (let i = 0; i < rle.length; i++) if ((data[i] === 255 ? 1 : 0) !== rle[i]) differ++;
    expect(differ).toBe(0);
  });

  it('answers 404 for an instance that does not exist and for a detect job', async () => {
    const missing = await platform.get(`/v1/jobs/${job.id}/instances/99/mask.png`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const detect = await platform.post('/v1/jobs', sample('zidane.jpg'), { task: 'detect' });
    await platform.waitForJob(detect.body.id, 60_000);
    const wrong = await platform.get(`/v1/jobs/${detect.body.id}/instances/0/mask.png`);
    expect(wrong.status).toBe(404);
  }, 90_000);

  it('refuses bad options with invalid_option and a model of another task', async () => {
    const bad = await platform.post('/v1/jobs', sample('bus.jpg'), { task: 'segment', maxDetections: '0' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_option');
    const wrongModel = await platform.post('/v1/jobs', sample('bus.jpg'), {
      task: 'segment',
      model: 'yolov8n',
    });
    expect(wrongModel.status).toBe(400);
    expect(wrongModel.body.error.code).toBe('invalid_option');
  });
});

/**
 * The request Frigate's DeepStack detector sends (frigate/detectors/plugins/deepstack.py):
 * `requests.post(url, data={"api_key": key}, files={"image": jpeg_bytes})`. requests writes the
 * data field first, then the file part named "image" with filename "image" and no
 * Content-Type; the JPEG is the model-sized crop (320×320).
 */
async function frigateRequest(route: string, jpeg: Buffer, apiKey = '') {
  const boundary = '4d9a1b3c5e7f90a2b4c6d8e0f1a3b5c7';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n${apiKey}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="image"\r\n\r\n`),
    jpeg,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await fetch(`${platform.url}${route}`, {
    method: 'POST',
    headers: {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'User-Agent': 'python-requests/2.32.3',
    },
    body,
  });
  return { status: res.status, body: await res.json() };
}

describe('DeepStack / CodeProject.AI custom models', () => {
  let crop: Buffer;
  beforeAll(async () => {
    // A 320×320 region of bus.jpg holding the two people on the left, as Frigate crops it.
    crop = await sharp(sample('bus.jpg').bytes)
      .extract({ left: 0, top: 380, width: 480, height: 480 })
      .resize(320, 320)
      .jpeg({ quality: 90 })
      .toBuffer();
  });

  it('lists the detection and segmentation models on GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${platform.url}/v1/vision/custom/list`, { method });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { success: boolean; models: string[] };
      expect(body.success).toBe(true);
      expect(body.models).toEqual(expect.arrayContaining(['yolov8n', 'yolov8n-int8', 'yolov8n-seg']));
      expect(body.models).not.toContain('bodypix-075');
    }
  });

  it('runs the segmentation model on a Frigate-shaped request and answers DeepStack predictions', async () => {
    const res = await frigateRequest('/v1/vision/custom/yolov8n-seg', crop);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    const people = res.body.predictions.filter((p: { label: string }) => p.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(1);
    for (const p of res.body.predictions) {
      expect(p.confidence).toBeGreaterThanOrEqual(0.4);
      for (const k of ['x_min', 'y_min', 'x_max', 'y_max']) {
        expect(Number.isInteger(p[k])).toBe(true);
        expect(p[k]).toBeGreaterThanOrEqual(0);
        expect(p[k]).toBeLessThanOrEqual(320);
      }
    }
  }, 60_000);

  it('runs a detection model by name, honouring min_confidence', async () => {
    const res = await platform.post(
      '/v1/vision/custom/yolov8n',
      { bytes: crop, name: 'crop.jpg', type: 'image/jpeg' },
      {
        min_confidence: '0.7',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.predictions.length).toBeGreaterThanOrEqual(1);
    for (const p of res.body.predictions) expect(p.confidence).toBeGreaterThanOrEqual(0.7);
  }, 60_000);

  it('answers success:false with a stable code for an unknown model, a parse model and a missing image', async () => {
    const unknown = await frigateRequest('/v1/vision/custom/no-such-model', crop);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, error: { code: 'not_found' } });
    const parse = await frigateRequest('/v1/vision/custom/bodypix-075', crop);
    expect(parse.status).toBe(404);
    expect(parse.body.success).toBe(false);
    const noImage = await platform.post('/v1/vision/custom/yolov8n-seg', null, { min_confidence: '0.5' });
    expect(noImage.status).toBe(400);
    expect(noImage.body).toMatchObject({ success: false, error: { code: 'missing_image' } });
    const notImage = await platform.post('/v1/vision/custom/yolov8n', {
      bytes: Buffer.from('not an image at all'),
      name: 'x.jpg',
    });
    expect(notImage.status).toBe(415);
    expect(notImage.body).toMatchObject({ success: false, error: { code: 'unsupported_media_type' } });
  });
});

describe('Open Inference Protocol', () => {
  it('answers live and ready', async () => {
    expect(await platform.get('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
    expect(await platform.get('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
  });

  it('describes a model: platform, inputs and outputs with datatype and shape', async () => {
    const seg = await platform.get('/v2/models/yolov8n-seg');
    expect(seg.status).toBe(200);
    expect(seg.body).toEqual({
      name: 'yolov8n-seg',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, 320, 320] }],
      outputs: [
        { name: 'output0', datatype: 'FP32', shape: [1, 116, 2100] },
        { name: 'output1', datatype: 'FP32', shape: [1, 32, 80, 80] },
      ],
    });
    const det = await platform.get('/v2/models/yolov8n');
    expect(det.body.inputs[0].shape).toEqual([-1, 3, 640, 640]);
    expect(det.body.outputs).toEqual([{ name: 'output0', datatype: 'FP32', shape: [-1, 84, 8400] }]);
    const unknown = await platform.get('/v2/models/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });

  it('is ready per model: a loaded model is ready, one no worker loaded is not', async () => {
    expect(await platform.get('/v2/models/yolov8n-seg/ready')).toEqual({
      status: 200,
      body: { name: 'yolov8n-seg', ready: true, workers: 1 },
    });
    const int8 = await platform.get('/v2/models/yolov8n-int8/ready');
    expect(int8.status).toBe(409);
    expect(int8.body).toMatchObject({ name: 'yolov8n-int8', ready: false, error: { code: 'not_ready' } });
  });

  it('turns not ready when the last worker stops', async () => {
    const worker = platform.processes.find((p) => p.name.startsWith('worker'))!;
    worker.child.kill('SIGTERM');
    await worker.exited;
    let ready = await platform.get('/v2/health/ready');
    for (let i = 0; i < 100 && ready.status === 200; i++) {
      await sleep(100);
      ready = await platform.get('/v2/health/ready');
    }
    expect(ready.status).toBe(409);
    expect(ready.body.ready).toBe(false);
    expect((await platform.get('/v2/models/yolov8n-seg/ready')).status).toBe(409);
    // Liveness is the gateway's own: it stays true.
    expect((await platform.get('/v2/health/live')).status).toBe(200);
  }, 60_000);
});
