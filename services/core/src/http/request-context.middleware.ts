/**
 * First middleware of every app: gives each request an id (the caller's `X-Request-ID` when well-formed, a new UUID
 * otherwise), echoes it back, and runs the rest of the chain inside the AsyncLocalStorage context so every log line
 * written while serving it carries `context.request_id`.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { type Logger, runWithRequestContext } from '../logging.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the request-context middleware before any route runs. */
    requestId: string;
  }
}

export const REQUEST_ID_HEADER = 'X-Request-ID';
/** Printable token, so ids from proxies and tracing systems pass but header/log injection does not. */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED_REQUEST_ID.test(value);
}

export interface RequestContextOptions {
  logger: Logger;
  generateRequestId?: () => string;
}

export function requestContext({ logger, generateRequestId = randomUUID }: RequestContextOptions): RequestHandler {
  return (req, res, next) => {
    const offered = req.get(REQUEST_ID_HEADER);
    const requestId = isWellFormedRequestId(offered) ? offered : generateRequestId();
    req.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const started = process.hrtime.bigint();
    runWithRequestContext({ request_id: requestId }, () => {
      res.once('finish', () => {
        logger.http('request completed', {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        });
      });
      next();
    });
  };
}
