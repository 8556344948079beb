import type { Router } from 'express';
import { strictRouter } from '../http/strict-router';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Response } from 'express';

/**
 * The WebUI (apps/webui): hand-written HTML and CSS in `public/`, and the bundle esbuild
 * builds into `dist/` (`main.js` and its sourcemap). The page talks only to the public API.
 */
export const WEBUI_DIR = path.resolve(__dirname, '..', '..', '..', 'webui');
const PUBLIC_DIR = path.join(WEBUI_DIR, 'public');
const DIST_DIR = path.join(WEBUI_DIR, 'dist');
/** The bundle `index.html` loads; its absence means the WebUI was never built. */
const ENTRY = path.join(DIST_DIR, 'main.js');

/**
 * Nothing may come from another origin: the page runs where the internet is out of reach,
 * and a CSP that says so turns an accidental CDN link into a visible console error.
 * `blob:`/`data:` images are the user's own photos and thumbnails kept in the browser.
 */
export const WEBUI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  // The annotated MP4 of a video job plays from a blob: URL (it is fetched with the key).
  "media-src 'self' blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The API's own headers (http/security-headers) stay; the page swaps in its CSP. */
function pageHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', WEBUI_CSP);
  // The HTML and assets have no content hashes in their names: every load revalidates (ETag).
  res.setHeader('Cache-Control', 'no-cache');
}

export function webuiRouter(): Router {
  const router = strictRouter();
  // Checked until found, so a gateway started before `npm run build` picks the build up.
  let built = false;

  router.get('/', (_req, res) => {
    pageHeaders(res);
    built ||= fs.existsSync(ENTRY);
    if (!built) {
      res
        .status(503)
        .type('text/html')
        .send(
          '<!doctype html><title>Argus</title><p>The WebUI has not been built: run <code>npm run build</code>.',
        );
      return;
    }
    res.sendFile(path.join(PUBLIC_DIR, 'index.html'));
  });

  // Assets: `public/` first (HTML, CSS, icons), then the bundle. Both are served as built,
  // by their exact names; a missing file falls through to the JSON 404.
  const assets = {
    index: false,
    redirect: false,
    setHeaders: pageHeaders,
  } as const;
  router.use('/ui', express.static(PUBLIC_DIR, assets), express.static(DIST_DIR, assets));
  return router;
}
