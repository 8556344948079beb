import crypto from 'node:crypto';

/** JSON with object keys sorted and no whitespace: the same document gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of a JSON file's canonical form, so a reformatted copy of the same document matches. */
export function canonicalJsonSha256(bytes: Buffer): string {
  return crypto
    .createHash('sha256')
    .update(canonicalJson(JSON.parse(bytes.toString('utf8'))))
    .digest('hex');
}
