/**
 * Keeps the generated OpenAPI document honest: it is a well-formed OpenAPI 3.1 document, it
 * lists exactly the routes the gateway's Express app serves, its error answers use the
 * contracts' error codes with their statuses, its form fields carry the job catalog's limits
 * and defaults, and real responses from the running platform validate against the zod
 * schemas the document was generated from.
 */
import sharp from 'sharp';
import { z, ZodType } from 'zod';
import {
  DetectOptionsSchema,
  ERROR_STATUS,
  JOB_CATALOG,
  ParseOptionsSchema,
  SubmissionSchema,
  VideoOptionsSchema,
  isErrorCode,
} from '@argus/contracts';
import { createApp } from '../apps/gateway/src/app';
import { ROUTE_DOCS, buildOpenApiDocument } from '../apps/gateway/src/openapi/openapi.document';
import { sample, startPlatform, type Platform } from './support/platform';
import fs from 'node:fs';
import { movingSquareVideo, tempDir } from './support/test-videos';

type Node = Record<string, unknown>;

const doc = JSON.parse(JSON.stringify(buildOpenApiDocument())) as Node;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The entries of an optional object-valued field (none when it is absent). */
const entriesOf = (value: unknown): [string, unknown][] => (isNode(value) ? Object.entries(value) : []);

function node(value: unknown, where: string): Node {
  if (!isNode(value)) throw new Error(`${where} is not an object`);
  return value;
}

/** Resolves a local JSON pointer (`#/components/schemas/Box`) inside `root`. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null || !(token in current)) return undefined;
    current = (current as Node)[token];
  }
  return current;
}

/** Follows `$ref`s until a node that is not a pure reference. */
function deref(value: unknown, root: unknown = doc): Node {
  let current = node(value, 'reference target');
  while (typeof current.$ref === 'string') current = node(resolvePointer(root, current.$ref), current.$ref);
  return current;
}

/** Every `$ref` in the document, with where it sits. */
function collectRefs(value: unknown, at: string, out: { at: string; ref: string }[] = []): typeof out {
  if (Array.isArray(value)) value.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (isNode(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') out.push({ at, ref: child });
      else collectRefs(child, `${at}/${key}`, out);
    }
  }
  return out;
}

interface DocumentedOperation {
  method: string;
  path: string;
  operation: Node;
}

function operations(root: Node): DocumentedOperation[] {
  return Object.entries(node(root.paths, 'paths')).flatMap(([path, item]) =>
    Object.entries(node(item, path))
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({ method, path, operation: node(operation, `${method} ${path}`) })),
  );
}

// ---------------------------------------------------------------------------------------------

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The zod schema a route doc gives for an answer (its status and media type), if any. */
function responseSchema(method: string, template: string, status: number, type: string): ZodType | undefined {
  const route = ROUTE_DOCS.find((r) => r.method === method.toLowerCase() && r.path === template);
  const media = route?.responses[status]?.content?.[type];
  const schema = media && 'schema' in media ? media.schema : undefined;
  return schema instanceof ZodType ? schema : undefined;
}

/** The problems zod finds in `value` (empty when it validates). */
function validate(schema: ZodType, value: unknown, at = '$'): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${at}.${i.path.join('.')}: ${i.message}`);
}

describe('openapi.json is a well-formed OpenAPI 3.1 document', () => {
  it('declares OpenAPI 3.1, its info and the local server', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const info = node(doc.info, 'info');
    expect(typeof info.title).toBe('string');
    expect(typeof info.version).toBe('string');
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://localhost:3000' })]);
  });

  it('resolves every $ref inside the document and leaves no component unused', () => {
    const refs = collectRefs(doc, '#');
    expect(refs.length).toBeGreaterThan(0);
    const unresolved = refs
      .filter((r) => resolvePointer(doc, r.ref) === undefined)
      .map((r) => `${r.at} → ${r.ref}`);
    expect(unresolved).toEqual([]);

    const used = new Set(refs.map((r) => r.ref));
    // Security schemes are referenced by name in security requirements, not by $ref.
    const requirements = [
      ...(Array.isArray(doc.security) ? doc.security : []),
      ...operations(doc).flatMap((o) => (Array.isArray(o.operation.security) ? o.operation.security : [])),
    ];
    for (const requirement of requirements) {
      for (const name of Object.keys(node(requirement, 'security requirement'))) {
        used.add(`#/components/securitySchemes/${name}`);
      }
    }
    const components = node(doc.components, 'components');
    const unused = Object.entries(components).flatMap(([section, entries]) =>
      Object.keys(node(entries, section))
        .map((name) => `#/components/${section}/${name}`)
        .filter((ref) => !used.has(ref)),
    );
    expect(unused).toEqual([]);
  });

  it('gives every operation a unique operationId and described responses with schemas', () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(0);
    const ids = ops.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);

    const problems: string[] = [];
    for (const { method, path, operation } of ops) {
      const op = `${method} ${path}`;
      if (typeof operation.operationId !== 'string') problems.push(`${op}: no operationId`);
      const responses = entriesOf(operation.responses);
      if (responses.length === 0) problems.push(`${op}: no responses`);
      for (const [status, raw] of responses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${op}: bad status key ${status}`);
        const response = deref(raw);
        if (typeof response.description !== 'string') problems.push(`${op} ${status}: no description`);
        for (const [mediaType, media] of entriesOf(response.content)) {
          if (!isNode(node(media, mediaType).schema))
            problems.push(`${op} ${status} ${mediaType}: no schema`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares every path template variable as a required path parameter, and no others', () => {
    for (const { method, path, operation } of operations(doc)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const params = ((operation.parameters as unknown[] | undefined) ?? []).map((p) => deref(p));
      const inPath = params.filter((p) => p.in === 'path');
      expect({ op: `${method} ${path}`, params: inPath.map((p) => p.name).sort() }).toEqual({
        op: `${method} ${path}`,
        params: templated,
      });
      for (const p of inPath) expect(p.required).toBe(true);
    }
  });

  it('uses 3.1 type arrays, never the 3.0 `nullable` keyword', () => {
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
  });

  it('validates every example, and answers each error code with the status ERROR_STATUS gives it', () => {
    const problems: string[] = [];
    let codes = 0;
    for (const { method, path, operation } of operations(doc)) {
      for (const [status, raw] of entriesOf(operation.responses)) {
        for (const [mediaType, media] of entriesOf(deref(raw).content)) {
          const { examples } = node(media, mediaType);
          const schema = responseSchema(method, path, Number(status), mediaType);
          for (const [name, example] of entriesOf(examples)) {
            const value = node(example, name).value;
            const at = `${method} ${path} ${status} example ${name}`;
            if (!schema) problems.push(`${at}: no zod schema`);
            else problems.push(...validate(schema, value, at));
            const code = isNode(value) && isNode(value.error) ? value.error.code : undefined;
            if (typeof code !== 'string') continue;
            codes++;
            if (!isErrorCode(code)) problems.push(`${at}: unknown code ${code}`);
            else if (ERROR_STATUS[code] !== Number(status)) {
              problems.push(`${at}: ${code} is answered with ${ERROR_STATUS[code]}`);
            }
          }
        }
      }
    }
    expect(codes).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('documents the form fields with the job catalog limits and defaults', () => {
    const forms: [string, z.ZodType][] = [
      ['JobSubmission', DetectOptionsSchema],
      ['JobSubmission', ParseOptionsSchema],
      ['SeedDetectForm', DetectOptionsSchema],
      ['SeedParseForm', ParseOptionsSchema],
    ];
    // Not `type`: zod-to-openapi writes a coerced number as ["number", "null"]; form fields are text anyway.
    const keywords = ['minimum', 'maximum', 'default', 'enum', 'minLength', 'maxLength'];
    for (const [form, zodSchema] of forms) {
      const documented = node(deref(schemaRef(form)).properties, `${form} properties`);
      const options = node(z.toJSONSchema(zodSchema, { io: 'input' }).properties, 'zod properties');
      for (const [name, field] of Object.entries(documented)) {
        const option = options[name];
        if (!isNode(option)) continue;
        const pick = (s: Node) => Object.fromEntries(keywords.filter((k) => k in s).map((k) => [k, s[k]]));
        expect({ field: `${form}.${name}`, ...pick(node(field, name)) }).toEqual({
          field: `${form}.${name}`,
          ...pick(option),
        });
      }
    }
    // /v1/jobs takes every option of both tasks, the submission fields (callback,
    // priority) and the video sampling fields, and nothing else besides the image and task.
    const submission = Object.keys(node(deref(schemaRef('JobSubmission')).properties, 'JobSubmission'));
    const optionNames = [
      DetectOptionsSchema,
      ParseOptionsSchema,
      SubmissionSchema,
      VideoOptionsSchema,
    ].flatMap((s) => Object.keys(s.shape));
    expect(submission.sort()).toEqual([...new Set(['image', 'task', ...optionNames])].sort());
  });
});

// ---------------------------------------------------------------------------------------------

/** The slice of Express 5's router (package `router` 2.x) that lists routes. */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: RouterLayer[] };
  /** The path given to `use()`; `/` for routers mounted at the root. */
  rawPath?: unknown;
}

/** `METHOD /openapi/{style}` for every route in a router stack, nested routers included. */
function routesOf(stack: RouterLayer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const route = layer.route;
      const path = route.path;
      // Express 5 wildcards (`*splat`) and optional segments (`{…}`) have no OpenAPI form.
      if (typeof path !== 'string' || /[*{}()]/.test(path)) {
        throw new Error(`route ${String(path)}: not a plain path`);
      }
      const openapiPath = (prefix + path).replace(/:([A-Za-z_$][\w$]*)/g, '{$1}');
      return Object.keys(route.methods)
        .filter((m) => route.methods[m])
        .map((m) => `${m === '_all' ? 'ALL' : m.toUpperCase()} ${openapiPath}`);
    }
    if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      return routesOf(layer.handle.stack, prefix + mount);
    }
    return [];
  });
}

describe('openapi.json documents exactly the routes the gateway serves', () => {
  // Not called: only the routing table is read. Routers capture their dependencies when
  // they are built and touch them only while handling a request, and none is sent here.
  const unused = Object.freeze({}) as never;
  const app = createApp({
    log: unused,
    jobs: unused,
    jobEvents: unused,
    waiters: unused,
    idempotency: unused,
    keys: unused,
    redis: unused,
    registry: unused,
    settings: {
      callbackPolicy: { allowPrivate: false, allowedHosts: [] },
      maxUploadBytes: 1,
      maxPixels: 1,
      syncTimeoutMs: 1,
      workerMaxAgeMs: 1,
    },
  });
  const served = routesOf((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  const documented = operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`);

  it('finds the routes in the Express app', () => {
    expect(served).toContain('POST /v1/jobs');
    expect(served).toContain('GET /v1/jobs/{id}');
  });

  it('documents every route the app serves', () => {
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
  });

  it('documents no operation the app does not serve', () => {
    expect(documented.filter((r) => !served.includes(r))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

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
