/**
 * The last two middlewares of every app: unknown routes → 404 JSON, and every error → `{error: {code, message,
 * request_id, details?}}` with the AppError's status. Only 5xx are logged as errors (with the real cause);
 * client errors are logged at info.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logging.js';
import { toErrorResponse } from './error-response.js';

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => {
    next(new NotFoundError(`No route for ${req.method} ${req.path}`));
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a JSON body: let express close the connection.
      logger.error('request failed after the response started', { error: thrown, method: req.method, path: req.path });
      next(thrown);
      return;
    }
    const { status, body, error } = toErrorResponse(thrown, req.requestId);
    const meta = { method: req.method, path: req.path, status, code: error.code };
    if (status >= 500) logger.error('request failed', { ...meta, error: thrown, severity: error.severity });
    else logger.info('request rejected', { ...meta, reason: error.message });
    res.status(status).json(body);
  };
}
