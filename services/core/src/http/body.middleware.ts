/**
 * Request bodies: only allowlisted media types (JSON by default) → else 415; JSON parsed with the configured size
 * limit (body-parser's 413, malformed-JSON and undecodable Content-Encoding 400s are mapped by the error handler).
 * Paths that take no body (health probes, metrics) never read one, so a junk body cannot fail a kubelet probe.
 */
import express, { type Request, type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '../errors.js';

export const DEFAULT_ALLOWED_CONTENT_TYPES = ['application/json'] as const;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/** True for a request under one of `prefixes` (a path itself or anything below it). */
export function underPathPrefix(req: Request, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => req.path === prefix || req.path.startsWith(`${prefix}/`));
}

export function contentTypeAllowlist(
  allowed: readonly string[] = DEFAULT_ALLOWED_CONTENT_TYPES,
  bodylessPaths: readonly string[] = [],
): RequestHandler {
  return (req, _res, next) => {
    if (!hasBody(req.headers) || underPathPrefix(req, bodylessPaths) || req.is([...allowed])) {
      next();
      return;
    }
    const received = req.get('content-type') ?? 'none';
    next(
      new UnsupportedMediaTypeError(`Content-Type ${received} is not supported; send ${allowed.join(' or ')}`, {
        details: { allowed: [...allowed] },
      }),
    );
  };
}

export function jsonBody(limitBytes: number, bodylessPaths: readonly string[] = []): RequestHandler {
  const parse = express.json({ limit: limitBytes, strict: true });
  return (req, res, next) => {
    if (underPathPrefix(req, bodylessPaths)) next();
    else void parse(req, res, next);
  };
}
