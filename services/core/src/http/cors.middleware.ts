/**
 * CORS from CORS_ORIGINS. A browser request from an origin not on the list is refused with a 403 JSON body (not
 * just missing headers), so a misconfigured UI sees why. Requests without Origin (CLI, agents, server-to-server) and
 * same-origin requests pass.
 */
import cors from 'cors';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../errors.js';
import { REQUEST_ID_HEADER } from './request-context.middleware.js';

const EXPOSED_HEADERS = [
  REQUEST_ID_HEADER,
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Retry-After',
];

export function isOriginAllowed(origin: string, allowedOrigins: readonly string[], ownOrigin: string): boolean {
  return origin === ownOrigin || allowedOrigins.includes('*') || allowedOrigins.includes(origin);
}

export function corsPolicy(allowedOrigins: readonly string[]): RequestHandler {
  return cors((req, callback) => {
    const request = req as Request;
    const origin = request.get('origin');
    if (
      origin === undefined ||
      isOriginAllowed(origin, allowedOrigins, `${request.protocol}://${request.get('host')}`)
    ) {
      callback(null, { origin: origin !== undefined, exposedHeaders: EXPOSED_HEADERS, maxAge: 600 });
      return;
    }
    callback(new ForbiddenError(`Origin ${origin} is not allowed by CORS_ORIGINS`, { details: { origin } }));
  });
}
