/**
 * The generated OpenAPI document as plain JSON, and what the OpenAPI suites read it with:
 * JSON pointers, `$ref`s, the operations it lists, and the zod schema a route doc gives for
 * an answer.
 */
import { ZodType } from 'zod';
import { ROUTE_DOCS, buildOpenApiDocument } from '../../apps/gateway/src/openapi/openapi.document';

export type Node = Record<string, unknown>;

export const doc = JSON.parse(JSON.stringify(buildOpenApiDocument())) as Node;
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The entries of an optional object-valued field (none when it is absent). */
export const entriesOf = (value: unknown): [string, unknown][] =>
  isNode(value) ? Object.entries(value) : [];

export function node(value: unknown, where: string): Node {
  if (!isNode(value)) throw new Error(`${where} is not an object`);
  return value;
}

/** Resolves a local JSON pointer (`#/components/schemas/Box`) inside `root`. */
export function resolvePointer(root: unknown, ref: string): unknown {
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
export function deref(value: unknown, root: unknown = doc): Node {
  let current = node(value, 'reference target');
  while (typeof current.$ref === 'string') current = node(resolvePointer(root, current.$ref), current.$ref);
  return current;
}

/** Every `$ref` in the document, with where it sits. */
export function collectRefs(value: unknown, at: string, out: { at: string; ref: string }[] = []): typeof out {
  if (Array.isArray(value)) value.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (isNode(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') out.push({ at, ref: child });
      else collectRefs(child, `${at}/${key}`, out);
    }
  }
  return out;
}

export interface DocumentedOperation {
  method: string;
  path: string;
  operation: Node;
}

export function operations(root: Node): DocumentedOperation[] {
  return Object.entries(node(root.paths, 'paths')).flatMap(([path, item]) =>
    Object.entries(node(item, path))
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({ method, path, operation: node(operation, `${method} ${path}`) })),
  );
}

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The zod schema a route doc gives for an answer (its status and media type), if any. */
export function responseSchema(
  method: string,
  template: string,
  status: number,
  type: string,
): ZodType | undefined {
  const route = ROUTE_DOCS.find((r) => r.method === method.toLowerCase() && r.path === template);
  const media = route?.responses[status]?.content?.[type];
  const schema = media && 'schema' in media ? media.schema : undefined;
  return schema instanceof ZodType ? schema : undefined;
}

/** The problems zod finds in `value` (empty when it validates). */
export function validate(schema: ZodType, value: unknown, at = '$'): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${at}.${i.path.join('.')}: ${i.message}`);
}
