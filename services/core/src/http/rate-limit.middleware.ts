/**
 * Rate limits per client IP and for the whole service, per minute and per hour (express-rate-limit; counters in
 * memory per instance, or in Redis shared by every replica). Draft-6 `RateLimit-*` headers on every response, `Retry-After` on 429. Probes and metrics scrapes are
 * exempt so a busy client cannot make the kubelet kill the pod.
 */
import type { Request, RequestHandler } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import type { RateLimitStoreFactory } from '../adapters/redis/redis-rate-limit-store.js';
import { RateLimitedError } from '../errors.js';
import { underPathPrefix } from './body.middleware.js';

const MINUTE_MS = 60_000;
const SILENT = { error: () => undefined, warn: () => undefined };
const HOUR_MS = 60 * MINUTE_MS;

export interface RateLimitSettings {
  perClientPerMinute: number;
  perClientPerHour: number;
  globalPerMinute: number;
  globalPerHour: number;
  /** Path prefixes never limited (health probes, metrics). */
  exemptPathPrefixes?: readonly string[];
  /** Loopback clients are not limited (local mode: the only clients are the user and their agents). */
  exemptLoopback?: boolean;
  /** Where counters live; in this process' memory when omitted. */
  store?: RateLimitStoreFactory;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** The client address after `trust proxy`, so a loopback reverse proxy does not make every client local. */
export function isLoopbackClient(req: Request): boolean {
  return LOOPBACK.test(req.ip ?? '');
}

export const DEFAULT_RATE_LIMIT_EXEMPT_PATHS = ['/api/v1/health', '/api/v1/metrics'] as const;

type Scope = 'client' | 'global';

function limiter(
  scope: Scope,
  windowMs: number,
  limit: number,
  exempt: readonly string[],
  exemptLoopback: boolean,
  store: RateLimitStoreFactory | undefined,
): RequestHandler {
  const window = windowMs === MINUTE_MS ? 'minute' : 'hour';
  return rateLimit({
    windowMs,
    limit,
    ...sharedCounters(store, `${scope}-${window}`),
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    // Global limits share one bucket; per-client limits use express-rate-limit's IP key (IPv6 /56 subnets).
    ...(scope === 'global' ? { keyGenerator: () => 'global' } : {}),
    skip: (req: Request) => underPathPrefix(req, exempt) || (exemptLoopback && isLoopbackClient(req)),
    handler: (_req, res, next) => {
      const retryAfter = res.getHeader('Retry-After');
      next(
        new RateLimitedError(
          scope === 'global'
            ? `This service is receiving too many requests; retry after ${String(retryAfter)} s`
            : `Too many requests from this client; retry after ${String(retryAfter)} s`,
          { details: { scope, window, limit } },
        ),
      );
    },
  });
}

/**
 * Ordered so that the headers of a successful response describe the tightest budget the caller controls: the
 * per-client minute window, applied last.
 */
export function rateLimits(settings: RateLimitSettings): RequestHandler[] {
  const exempt = settings.exemptPathPrefixes ?? DEFAULT_RATE_LIMIT_EXEMPT_PATHS;
  const loopback = settings.exemptLoopback ?? false;
  const { store } = settings;
  return [
    limiter('global', HOUR_MS, settings.globalPerHour, exempt, loopback, store),
    limiter('global', MINUTE_MS, settings.globalPerMinute, exempt, loopback, store),
    limiter('client', HOUR_MS, settings.perClientPerHour, exempt, loopback, store),
    limiter('client', MINUTE_MS, settings.perClientPerMinute, exempt, loopback, store),
  ];
}

/**
 * The store options of one limiter. With a shared store, a Redis outage lets requests through (logged by the
 * connection) instead of failing every request: limits protect the service, they must not take it down.
 */
export function sharedCounters(
  store: RateLimitStoreFactory | undefined,
  limiter: string,
): Partial<Pick<Options, 'store' | 'passOnStoreError' | 'logger'>> {
  // The store reports its failures (throttled); express-rate-limit's own logger would print one per request.
  return store ? { store: store(limiter), passOnStoreError: true, logger: SILENT } : {};
}
