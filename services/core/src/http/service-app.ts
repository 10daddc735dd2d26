/**
 * Composes the shared middleware around a service's routes, in the one order every service uses:
 * request id → metrics → security headers → CORS → rate limits → content-type → JSON body → metrics endpoint →
 * routes → 404 → error handler. Each service's app.ts is then `createServiceApp({config, logger, metrics, routes})`.
 */
import type { RateLimitStoreFactory } from '../adapters/redis/redis-rate-limit-store.js';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config/load-config.js';
import type { Logger } from '../logging.js';
import { type ServiceMetrics, httpMetricsMiddleware, metricsHandler } from '../metrics.js';
import { DEFAULT_ALLOWED_CONTENT_TYPES, contentTypeAllowlist, jsonBody } from './body.middleware.js';
import { corsPolicy } from './cors.middleware.js';
import { errorHandler, notFoundHandler } from './error-handler.middleware.js';
import { DEFAULT_RATE_LIMIT_EXEMPT_PATHS, rateLimits } from './rate-limit.middleware.js';
import { requestContext } from './request-context.middleware.js';

export const METRICS_PATH = '/api/v1/metrics';
export const LIVENESS_PATH = '/api/v1/health/live';
/** Probes and scrapes take no body: a junk or mis-encoded one must not fail them. */
const BODYLESS_PATHS = ['/api/v1/health', METRICS_PATH];

/** The config a service app needs; a full AppConfig fits. */
export type HttpConfig = Pick<
  AppConfig,
  | 'REQUEST_SIZE_LIMIT'
  | 'CORS_ORIGINS'
  | 'TRUST_PROXY'
  | 'RATE_LIMIT_REQUESTS_PER_MINUTE'
  | 'RATE_LIMIT_REQUESTS_PER_HOUR'
  | 'RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE'
  | 'RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR'
  | 'RATE_LIMIT_LOOPBACK_EXEMPT'
>;

export interface ServiceAppOptions {
  config: HttpConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Mounts the service's routers and handlers on the app. */
  routes: (app: Express) => void;
  allowedContentTypes?: readonly string[];
  rateLimitExemptPaths?: readonly string[];
  /** Where rate-limit counters live; in this process' memory when omitted. */
  rateLimitStore?: RateLimitStoreFactory;
  generateRequestId?: () => string;
}

export function createServiceApp(options: ServiceAppOptions): Express {
  const { config, logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(
    requestContext({ logger, ...(options.generateRequestId ? { generateRequestId: options.generateRequestId } : {}) }),
  );
  app.use(httpMetricsMiddleware(metrics));
  app.use(securityHeaders());
  app.use(corsPolicy(config.CORS_ORIGINS));
  app.use(
    rateLimits({
      perClientPerMinute: config.RATE_LIMIT_REQUESTS_PER_MINUTE,
      perClientPerHour: config.RATE_LIMIT_REQUESTS_PER_HOUR,
      globalPerMinute: config.RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE,
      globalPerHour: config.RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR,
      exemptPathPrefixes: options.rateLimitExemptPaths ?? DEFAULT_RATE_LIMIT_EXEMPT_PATHS,
      exemptLoopback: config.RATE_LIMIT_LOOPBACK_EXEMPT,
      store: options.rateLimitStore,
    }),
  );
  app.use(contentTypeAllowlist(options.allowedContentTypes ?? DEFAULT_ALLOWED_CONTENT_TYPES, BODYLESS_PATHS));
  app.use(jsonBody(config.REQUEST_SIZE_LIMIT, BODYLESS_PATHS));
  app.get(METRICS_PATH, metricsHandler(metrics));
  options.routes(app);
  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}

/**
 * helmet's headers, except that HSTS and CSP `upgrade-insecure-requests` go only with HTTPS (directly, or per
 * X-Forwarded-Proto from a trusted proxy): over plain HTTP (`myragdb up` on localhost) they would pin or upgrade
 * the browser to an HTTPS port nothing listens on.
 */
function securityHeaders(): RequestHandler {
  const overHttps = helmet();
  const overHttp = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  return (req, res, next) => (req.secure ? overHttps : overHttp)(req, res, next);
}

/** Liveness only says the process serves HTTP; readiness and dependency checks belong to each service. */
export function livenessHandler(): RequestHandler {
  return (_req, res) => {
    res.json({ status: 'alive' });
  };
}
