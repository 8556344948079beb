/**
 * Keeps the generated OpenAPI document honest as a document: well-formed OpenAPI 3.1, every
 * `$ref` resolved, its error answers using the contracts' error codes with their statuses,
 * its form fields carrying the job catalog's limits and defaults.
 */
import { z } from 'zod';
import {
  DetectOptionsSchema,
  ERROR_STATUS,
  ParseOptionsSchema,
  SubmissionSchema,
  VideoOptionsSchema,
  isErrorCode,
} from '@argus/contracts';
import {
  type Node,
  doc,
  isNode,
  entriesOf,
  node,
  resolvePointer,
  deref,
  collectRefs,
  operations,
  schemaRef,
  responseSchema,
  validate,
} from './support/openapi-doc';

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
