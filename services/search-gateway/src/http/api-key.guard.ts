import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RateLimitedError, UnauthorizedError } from '../../../core/src/errors.js';
import type { Logger } from '../../../core/src/logging.js';
import type { ApiKeyScope } from '../auth/api-key-secret.js';
import { type ApiKeyService, requireScope } from '../auth/api-key.service.js';
import { principalOf, type RouteGuard } from './api-route.js';

export interface ApiKeyGuardSettings {
  /** Requests per minute one API key may make (across all clients using it). */
  perKeyPerMinute: number;
  /** Failed authentications one client IP may make per 15 minutes before it gets 429. */
  failedAttemptsPer15Minutes: number;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * API-key authentication for the routes that need a scope. Failed attempts are limited per client IP: the limiter
 * counts every request up front and gives the count back unless the response was a 401, so guessing keys is slow
 * while valid traffic is unaffected. Rejections are logged with the client IP and never with the presented key.
 */
export function createApiKeyGuard(
  keys: ApiKeyService,
  logger: Logger,
  settings: ApiKeyGuardSettings,
): RouteGuard & { failedAttemptLimiter: RequestHandler } {
  const failedAttemptLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: settings.failedAttemptsPer15Minutes,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (req, _res, next) => {
      logger.warn('client blocked after repeated failed API key attempts', { ip: req.ip });
      next(
        new RateLimitedError('Too many failed authentication attempts; try again later', {
          details: { scope: 'authentication' },
        }),
      );
    },
  });

  const perKeyLimiter = rateLimit({
    windowMs: 60_000,
    limit: settings.perKeyPerMinute,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    keyGenerator: (_req, res) => `key:${principalOf(res)?.keyId ?? 'none'}`,
    handler: (_req, res, next) => {
      next(
        new RateLimitedError(
          `Too many requests for this API key; retry after ${String(res.getHeader('Retry-After'))} s`,
          {
            details: { scope: 'api_key', window: 'minute', limit: settings.perKeyPerMinute },
          },
        ),
      );
    },
  });

  const authenticate =
    (scope: ApiKeyScope): RequestHandler =>
    async (req, res, next) => {
      const presented = bearerToken(req);
      try {
        if (presented === undefined) throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"');
        if (presented === '') throw new UnauthorizedError('malformed Authorization header: expected "Bearer <key>"');
        const principal = await keys.authenticate(presented, new Date());
        requireScope(principal, scope);
        res.locals.principal = principal;
        next();
      } catch (error) {
        if (error instanceof UnauthorizedError) {
          res.setHeader('WWW-Authenticate', 'Bearer realm="myragdb"');
          logger.warn('API key rejected', { ip: req.ip, method: req.method, path: req.path, reason: error.message });
        }
        next(error);
      }
    };

  return {
    failedAttemptLimiter,
    requireScope: (scope) => [authenticate(scope), perKeyLimiter],
  };
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  return header === undefined ? undefined : (BEARER.exec(header.trim())?.[1] ?? '');
}
