/**
 * `MODEL_URL_MAP` rewrites public source URLs by prefix (`https://storage.googleapis.com/=
 * http://127.0.0.1:8080/gcs/`), so tests and air-gapped sites can stand a real HTTP server in
 * for the public hosts; the download code itself is the same.
 */
export type UrlMap = readonly (readonly [from: string, to: string])[];

export function mapUrl(url: string, map: UrlMap): string {
  for (const [from, to] of map) if (url.startsWith(from)) return to + url.slice(from.length);
  return url;
}
