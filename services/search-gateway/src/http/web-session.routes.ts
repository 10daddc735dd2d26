/**
 * Sign-in for the web UI: an API key (or a one-time link from `myragdb up`) is exchanged for an HttpOnly,
 * SameSite=Strict cookie holding a signed random session id. The key itself never reaches the browser's storage.
 * Plain express routes rather than ApiRoutes: they set and clear cookies, which the API route table does not model.
 */
import { timingSafeEqual } from 'node:crypto';
import { type CookieOptions, type Request, type Response, Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { RateLimitStoreFactory } from '../../../core/src/adapters/redis/redis-rate-limit-store.js';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../../../core/src/errors.js';
import { sharedCounters } from '../../../core/src/http/rate-limit.middleware.js';
import type { Logger } from '../../../core/src/logging.js';
import type { NewWebSession, WebSession, WebSessionService } from '../auth/web-session.service.js';
import { SIGN_IN_LINK_PATH } from '../api/paths.js';
import { API_PREFIX, type DocumentedOperation, parseOrThrow } from './api-route.js';

export const SESSION_PATH = `${API_PREFIX}/session`;
export const CSRF_HEADER = 'x-csrf-token';
export const MISSING_CSRF_TOKEN = "missing or invalid CSRF token: send the session's token in X-CSRF-Token";
const SESSION_COOKIE = 'myragdb_session';

const SignInRequest = z
  .strictObject({ apiKey: z.string().trim().min(1).max(512).describe('An API key; it is not kept by the browser.') })
  .meta({ id: 'SignInRequest' });
const SessionResponse = z
  .object({
    signedIn: z.literal(true),
    keyId: z.string(),
    scopes: z.array(z.enum(['search', 'admin'])),
    csrfToken: z.string().describe('Send it as `X-CSRF-Token` on every cookie-authenticated write.'),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'WebSession' });
const SignedOutResponse = z.object({ signedIn: z.literal(false) }).meta({ id: 'SignedOut' });

/** The session routes in the OpenAPI document (served below, outside the API route table: they set cookies). */
export const WEB_SESSION_OPERATIONS: DocumentedOperation[] = [
  {
    method: 'post',
    path: '/session',
    operationId: 'signIn',
    summary: 'Web UI sign-in: exchange an API key for an HttpOnly, SameSite=Strict session cookie',
    tags: ['web ui'],
    scope: undefined,
    request: { body: SignInRequest },
    responses: {
      201: { description: 'Signed in; the cookie is set', schema: SessionResponse },
      401: { description: 'The key is not valid, expired or revoked' },
    },
  },
  {
    method: 'get',
    path: '/session',
    operationId: 'getSession',
    summary: 'The session of this browser (by its cookie)',
    tags: ['web ui'],
    scope: undefined,
    responses: {
      200: {
        description: 'The session, or `signedIn: false` without one (or when it or its key has ended)',
        schema: z.union([SessionResponse, SignedOutResponse]),
      },
    },
  },
  {
    method: 'delete',
    path: '/session',
    operationId: 'signOut',
    summary: 'Sign out: ends the session and clears its cookie (needs X-CSRF-Token)',
    tags: ['web ui'],
    scope: undefined,
    responses: {
      204: { description: 'Signed out' },
      403: { description: 'A live session without its CSRF token in X-CSRF-Token' },
    },
  },
];
const SignInLinkQuery = z.object({ token: z.string().min(1).max(200) });

export interface WebSessionRouteSettings {
  /** Failed sign-ins one client IP may make per 15 minutes before it gets 429. */
  failedAttemptsPer15Minutes: number;
  store?: RateLimitStoreFactory;
}

/** The signed session id the request carries, if any (cookie-parser leaves `false` for a bad signature). */
export function sessionIdOf(req: Request): string | undefined {
  const value: unknown = (req.signedCookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Safe methods never change state, so they need no CSRF token. */
export function needsCsrfToken(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

export function csrfTokenMatches(req: Request, session: WebSession): boolean {
  const sent = Buffer.from(req.get(CSRF_HEADER) ?? '');
  const expected = Buffer.from(session.csrfToken);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

function sessionBody(session: WebSession): z.infer<typeof SessionResponse> {
  return {
    signedIn: true,
    keyId: session.principal.keyId,
    scopes: [...session.principal.scopes],
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
}

function cookieOptions(req: Request): CookieOptions {
  // Secure whenever the request came over HTTPS (directly or via a trusted proxy); `myragdb up` serves plain HTTP.
  return { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' };
}

function setSessionCookie(req: Request, res: Response, session: NewWebSession): void {
  res.cookie(SESSION_COOKIE, session.id, { ...cookieOptions(req), signed: true, expires: session.expiresAt });
}

export function createWebSessionRouter(
  sessions: WebSessionService,
  logger: Logger,
  settings: WebSessionRouteSettings,
): Router {
  const router = Router();
  const failedSignIns = rateLimit({
    windowMs: 15 * 60_000,
    limit: settings.failedAttemptsPer15Minutes,
    ...sharedCounters(settings.store, 'sign-in-failures'),
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401 && res.locals.signInFailed !== true,
    handler: (req, _res, next) => {
      logger.warn('client blocked after repeated failed sign-ins', { ip: req.ip });
      next(new RateLimitedError('Too many failed sign-ins; try again later', { details: { scope: 'sign-in' } }));
    },
  });

  router.post(SESSION_PATH, failedSignIns, async (req, res) => {
    const { apiKey } = parseOrThrow(SignInRequest, req.body ?? {}, 'body');
    let session: NewWebSession;
    try {
      session = await sessions.signIn(apiKey, new Date());
    } catch (error) {
      if (error instanceof UnauthorizedError) logger.warn('web sign-in rejected', { ip: req.ip });
      throw error;
    }
    setSessionCookie(req, res, session);
    res.status(201).json(sessionBody(session));
  });

  // Signed out is an answer, not an error: the UI asks on every page load, and a 401 would be a console error.
  router.get(SESSION_PATH, async (req, res) => {
    const id = sessionIdOf(req);
    const session = id ? await sessions.find(id, new Date()) : undefined;
    res.setHeader('Cache-Control', 'no-store');
    res.json(session ? sessionBody(session) : { signedIn: false });
  });

  router.delete(SESSION_PATH, async (req, res) => {
    const id = sessionIdOf(req);
    const session = id ? await sessions.find(id, new Date()) : undefined;
    // Signing out of a session that has already ended is not an error; forging a sign-out of a live one is.
    if (id && session) {
      // The same answer as any other cookie-authenticated write without the token (`api-key.guard.ts`).
      if (!csrfTokenMatches(req, session)) throw new ForbiddenError(MISSING_CSRF_TOKEN);
      await sessions.signOut(id);
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  router.get(SIGN_IN_LINK_PATH, failedSignIns, async (req, res) => {
    const parsed = SignInLinkQuery.safeParse(req.query);
    try {
      if (!parsed.success) throw new UnauthorizedError('malformed sign-in link');
      const session = await sessions.redeemSignInLink(parsed.data.token, new Date());
      setSessionCookie(req, res, session);
      res.redirect(303, '/');
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      logger.warn('sign-in link rejected', { ip: req.ip, reason: error.message });
      // Counted as a failed sign-in like a 401; the page explains and offers the key form.
      res.locals.signInFailed = true;
      res.redirect(303, '/sign-in?error=link');
    }
  });
  return router;
}
