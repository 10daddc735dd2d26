import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../../../core/src/errors.js';
import type { RateLimitStoreFactory } from '../../../core/src/adapters/redis/redis-rate-limit-store.js';
import { isLoopbackClient, sharedCounters } from '../../../core/src/http/rate-limit.middleware.js';
import type { Logger } from '../../../core/src/logging.js';
import { type ApiKeyScope, apiKeyId } from '../auth/api-key-secret.js';
import { type ApiKeyService, type ApiPrincipal, requireScope } from '../auth/api-key.service.js';
import type { WebSessionService } from '../auth/web-session.service.js';
import { principalOf, type RouteGuard } from './api-route.js';
import { csrfTokenMatches, MISSING_CSRF_TOKEN, needsCsrfToken, sessionIdOf } from './web-session.routes.js';

export interface ApiKeyGuardSettings {
  /** Requests per minute one API key may make (across all clients using it). */
  perKeyPerMinute: number;
  /** Failed authentications one client IP may make per 15 minutes with one key id before such attempts get 429. */
  failedAttemptsPer15Minutes: number;
  /** Loopback clients skip the per-key request limit (failed attempts are still limited). */
  exemptLoopback: boolean;
  /** Where counters live; in this process' memory when omitted. */
  store?: RateLimitStoreFactory;
  /** Web UI sessions: a request without an Authorization header may authenticate with its session cookie. */
  sessions?: WebSessionService;
}

/** The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are as good as `Bearer`. */
const BEARER = /^Bearer +([\x21-\x7e]{1,512})$/i;

/**
 * API-key authentication for the routes that need a scope. Failed attempts are limited per client IP and claimed
 * key id (the public part of a key; every other string counts as the bootstrap key): the limiter counts each
 * attempt up front and gives the count back unless the response was a 401, so guessing keys is slow. It never
 * locks out real users: public routes are not behind it, a key this process has already verified skips it (no
 * scrypt is spent on that check), and another key id from the same IP (every client behind an ingress without
 * TRUST_PROXY) has a budget of its own. Rejections are logged with the client IP, never with the presented key.
 */
export function createApiKeyGuard(keys: ApiKeyService, logger: Logger, settings: ApiKeyGuardSettings): RouteGuard {
  const failedAttemptLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: settings.failedAttemptsPer15Minutes,
    ...sharedCounters(settings.store, 'auth-failures'),
    // The client's budget is what its RateLimit-* headers describe, not this limiter's.
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => {
      const presented = bearerToken(req);
      return `${ipKeyGenerator(req.ip ?? 'unknown')}|${presented ? apiKeyId(presented) : 'none'}`;
    },
    skip: (req) => {
      const presented = bearerToken(req);
      return presented !== undefined && presented !== '' && keys.recentlyVerified(presented);
    },
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (req, res, next) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(((resetTime?.getTime() ?? 0) - Date.now()) / 1000))));
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
    ...sharedCounters(settings.store, 'api-key'),
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    keyGenerator: (_req, res) => `key:${principalOf(res)?.keyId ?? 'none'}`,
    skip: (req) => settings.exemptLoopback && isLoopbackClient(req),
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
        const sessionId = sessionIdOf(req);
        if (presented === undefined && sessionId !== undefined && settings.sessions) {
          const principal = await sessionPrincipal(settings.sessions, sessionId, req, scope);
          keys.recordUse(principal.keyId, new Date());
          res.locals.principal = principal;
          return next();
        }
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
    requireScope: (scope) => [failedAttemptLimiter, authenticate(scope), perKeyLimiter],
    chargeExtra: (count) => async (req, res, next) => {
      for (let extra = count(req); extra > 0; extra--) {
        const limited = await new Promise<unknown>((resolve) => void perKeyLimiter(req, res, resolve));
        if (limited !== undefined) return next(limited);
      }
      next();
    },
  };
}

/**
 * The principal of a signed-in browser. A write must echo the session's CSRF token: SameSite=Strict already keeps
 * other sites' requests from carrying the cookie, the token also covers browsers and proxies that do not honour it.
 */
async function sessionPrincipal(
  sessions: WebSessionService,
  sessionId: string,
  req: Request,
  scope: ApiKeyScope,
): Promise<ApiPrincipal> {
  const session = await sessions.find(sessionId, new Date());
  if (!session) throw new UnauthorizedError('your session has ended: sign in again');
  if (needsCsrfToken(req.method) && !csrfTokenMatches(req, session)) {
    throw new ForbiddenError(MISSING_CSRF_TOKEN);
  }
  requireScope(session.principal, scope);
  return session.principal;
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  return header === undefined ? undefined : (BEARER.exec(header.trim())?.[1] ?? '');
}
