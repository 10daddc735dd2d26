/**
 * The web UI on the API's origin: hashed assets cached for a year, index.html for every page path (the UI routes in
 * the browser), compressed (brotli or gzip), under a strict CSP: no inline script or style, no third-party origin.
 */
import { join } from 'node:path';
import compression from 'compression';
import express, { type Request, type Response, Router } from 'express';
import { DependencyError } from '../../../core/src/errors.js';
import type { WebUiAssets } from '../web-ui/web-ui-assets.js';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that are never pages: the API, MCP, sign-in links and assets answer there (or 404 as JSON). */
const NOT_PAGES = /^\/(api|mcp|auth|assets)(\/|$)/;

export function createWebUiRouter(assets: WebUiAssets | undefined): Router {
  const router = Router();
  router.use(compression());
  if (assets) {
    router.use(
      '/assets',
      express.static(join(assets.dir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
    );
    router.get('/favicon.svg', (_req, res) => res.sendFile(join(assets.dir, 'favicon.svg'), { maxAge: '1d' }));
  }
  router.get('/{*page}', (req: Request, res: Response, next) => {
    if (NOT_PAGES.test(req.path) || !req.accepts('html')) return next();
    if (!assets) return next(new DependencyError('web-ui', 'the web UI is not built on this server'));
    res.setHeader('Content-Security-Policy', req.secure ? `${CSP}; upgrade-insecure-requests` : CSP);
    // Always revalidated: a new release's index.html names new hashed assets.
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(assets.indexHtml);
  });
  return router;
}
