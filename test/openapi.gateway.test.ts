/**
 * Real responses from the running platform (detection, parse and video jobs, refusals, probes,
 * compat endpoints) are documented in the generated OpenAPI document and validate against the
 * zod schemas it was generated from.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { ERROR_STATUS, JOB_CATALOG } from '@argus/contracts';
import { sample, startPlatform, type Platform } from './support/platform';
import { movingSquareVideo, tempDir } from './support/test-videos';
import {
  doc,
  isNode,
  node,
  deref,
  operations,
  schemaRef,
  responseSchema,
  validate,
} from './support/openapi-doc';

interface Answer {
  status: number;
  headers: Headers;
  type: string;
  body: unknown;
}

async function send(platform: Platform, method: string, route: string, body?: FormData): Promise<Answer> {
  const res = await fetch(`${platform.url}${route}`, { method, body });
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    type,
    body: type === 'application/json' ? JSON.parse(bytes.toString()) : bytes,
  };
}

function form(
  file: { bytes: Buffer; name: string } | null,
  fields: Record<string, string>,
  field = 'image',
): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append(field, new Blob([new Uint8Array(file.bytes)]), file.name);
  return f;
}

/**
 * The answer's status is documented for the operation, with its media type and headers,
 * and a JSON body validates against the documented schema.
 */
function expectDocumented(method: string, template: string, answer: Answer): void {
  const op = operations(doc).find((o) => o.method === method.toLowerCase() && o.path === template);
  if (!op) throw new Error(`${method} ${template} is not documented`);
  const responses = node(op.operation.responses, 'responses');
  const label = `${method} ${template} → ${answer.status}`;
  expect({ label, documented: answer.status in responses }).toEqual({ label, documented: true });
  const response = deref(responses[answer.status]);
  const content = node(response.content, `${label} content`);
  expect({ label, type: answer.type in content }).toEqual({ label, type: true });
  // Headers marked `required: false` are conditional (e.g. Idempotent-Replayed).
  for (const [header, spec] of Object.entries(isNode(response.headers) ? response.headers : {})) {
    if (isNode(spec) && deref(spec).required === false) continue;
    expect({ label, header, sent: answer.headers.has(header) }).toEqual({ label, header, sent: true });
  }
  if (answer.type === 'application/json') {
    const schema = responseSchema(method, template, answer.status, answer.type);
    expect({ label, zod: schema !== undefined }).toEqual({ label, zod: true });
    if (schema) expect({ label, problems: validate(schema, answer.body) }).toEqual({ label, problems: [] });
  }
  if (answer.type === 'image/png') expect((answer.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
}

describe('the running gateway', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ workers: 1 });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
  });

  /** Sends a request to `route` (default: the template itself) and checks it against `template`. */
  async function call(method: string, template: string, route = template, body?: FormData): Promise<Answer> {
    const answer = await send(platform, method, route, body);
    expectDocumented(method, template, answer);
    return answer;
  }

  it('serves this document at GET /openapi.json, with every error code of the contracts', async () => {
    const answer = await call('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(doc);

    const served = node(answer.body, 'served document');
    const errorBody = deref(schemaRef('ErrorBody'), served);
    const detail = deref(node(errorBody.properties, 'ErrorBody properties').error, served);
    const code = deref(node(detail.properties, 'ErrorDetail properties').code, served);
    expect([...(code.enum as string[])].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });

  it('answers a detection job as documented: submit, poll, cache hit', async () => {
    const bus = () => form(sample('bus.jpg'), { task: 'detect' });
    const submitted = await call('POST', '/v1/jobs', '/v1/jobs', bus());
    expect(submitted.status).toBe(202);
    const id = String(node(submitted.body, 'job').id);

    await platform.waitForJob(id);
    const done = await call('GET', '/v1/jobs/{id}', `/v1/jobs/${id}`);
    const job = node(done.body, 'job');
    expect(job.status).toBe('completed');
    expect(validate(JOB_CATALOG.detect.resultSchema, job.result)).toEqual([]);
    expect(node(job.result, 'result').count).toBeGreaterThan(0);

    const cached = await call('POST', '/v1/jobs', '/v1/jobs', bus());
    expect(cached.status).toBe(200);
    expect(node(cached.body, 'job').cached).toBe(true);

    // Detect jobs produce JSON only.
    expect((await call('GET', '/v1/jobs/{id}/overlay.png', `/v1/jobs/${id}/overlay.png`)).status).toBe(404);
  });

  it('answers refusals and unknown jobs with documented errors', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await call('GET', '/v1/jobs/{id}', `/v1/jobs/${unknown}`)).status).toBe(404);
    expect((await call('GET', '/v1/jobs/{id}/labels.png', `/v1/jobs/${unknown}/labels.png`)).status).toBe(
      404,
    );

    const submit = async (file: { bytes: Buffer; name: string } | null, fields: Record<string, string>) =>
      (await call('POST', '/v1/jobs', '/v1/jobs', form(file, fields))).status;
    const gif = { bytes: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'), name: 'a.gif' };
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(await submit(null, { task: 'detect' })).toBe(400);
    expect(await submit(gif, { task: 'detect' })).toBe(415);
    expect(await submit({ bytes: png, name: 'a.png' }, { task: 'detect', iou: '7' })).toBe(400);

    expect((await call('POST', '/detect', '/detect', form(null, { foo: 'bar' }, 'file'))).status).toBe(400);
    expect((await call('POST', '/api/parse', '/api/parse', form(null, { foo: 'bar' }))).status).toBe(400);
  });

  it('answers the probes and the detection compat endpoints as documented', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
    const seed = await call('POST', '/detect', '/detect', form(sample('zidane.jpg'), {}, 'file'));
    expect(seed.status).toBe(200);
    const deepstack = form(sample('bus.jpg'), { min_confidence: '0.5' });
    expect((await call('POST', '/v1/vision/detection', '/v1/vision/detection', deepstack)).status).toBe(200);
  });

  it('answers a parse job, its images and POST /api/parse as documented', async () => {
    const submitted = await call('POST', '/v1/jobs', '/v1/jobs', form(sample('bus.jpg'), { task: 'parse' }));
    const id = String(node(submitted.body, 'job').id);
    // Usually still running (409 not_ready); a very fast worker may have finished (200).
    await call('GET', '/v1/jobs/{id}/overlay.png', `/v1/jobs/${id}/overlay.png`);

    await platform.waitForJob(id);
    const done = await call('GET', '/v1/jobs/{id}', `/v1/jobs/${id}`);
    const job = node(done.body, 'job');
    expect(job.status).toBe('completed');
    expect(validate(JOB_CATALOG.parse.resultSchema, job.result)).toEqual([]);
    expect(node(job.result, 'result').numPersons).toBeGreaterThan(0);

    // The links a completed parse job gives are the documented image routes, and they answer.
    const links = node(job.links, 'links');
    const images: [string, unknown][] = [
      ['/v1/jobs/{id}/overlay.png', links.overlay],
      ['/v1/jobs/{id}/labels.png', links.labels],
      ['/v1/jobs/{id}/persons/{n}/mask.png', (links.masks as unknown[])[0]],
    ];
    for (const [template, route] of images) {
      const image = await call('GET', template, String(route));
      expect(`${String(route)} → ${image.status}`).toBe(`${String(route)} → 200`);
    }
    expect(
      (await call('GET', '/v1/jobs/{id}/persons/{n}/mask.png', `/v1/jobs/${id}/persons/999/mask.png`)).status,
    ).toBe(404);

    const seed = await call('POST', '/api/parse', '/api/parse', form(sample('zidane.jpg'), {}));
    expect(seed.status).toBe(200);
  });

  it('answers a video detection job as documented, its result a strict VideoResult', async () => {
    const dir = tempDir('openapi-video');
    const bytes = fs.readFileSync(movingSquareVideo(dir, 1));
    fs.rmSync(dir, { recursive: true, force: true });
    const submitted = await call(
      'POST',
      '/v1/jobs',
      '/v1/jobs',
      form({ bytes, name: 'square.mp4' }, { task: 'detect', fps: '2' }),
    );
    expect(submitted.status).toBe(202);
    const id = String(node(submitted.body, 'job').id);
    await platform.waitForJob(id, 120_000);
    const done = await call('GET', '/v1/jobs/{id}', `/v1/jobs/${id}`);
    const job = node(done.body, 'job');
    expect(job.status).toBe('completed');
    expect(validate(JOB_CATALOG.detect.videoResultSchema, job.result)).toEqual([]);
    expect(node(job.result, 'result').media).toBe('video');
    const mp4 = await call('GET', '/v1/jobs/{id}/annotated.mp4', `/v1/jobs/${id}/annotated.mp4`);
    expect(mp4.status).toBe(200);
  }, 180_000);
});
