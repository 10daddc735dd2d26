/**
 * Request bodies: only allowlisted media types (JSON by default) → else 415; JSON parsed with the configured size
 * limit (body-parser's 413 and malformed-JSON 400 are mapped by the error handler).
 */
import express, { type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '../errors.js';

export const DEFAULT_ALLOWED_CONTENT_TYPES = ['application/json'] as const;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

export function contentTypeAllowlist(allowed: readonly string[] = DEFAULT_ALLOWED_CONTENT_TYPES): RequestHandler {
  return (req, _res, next) => {
    if (!hasBody(req.headers) || req.is([...allowed])) {
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

export function jsonBody(limitBytes: number): RequestHandler {
  return express.json({ limit: limitBytes, strict: true });
}
