import cookieParser from 'cookie-parser';
import { type Express, Router } from 'express';
import { createHealthProbesRouter, type ReadinessCheck } from '../../core/src/http/health-probes.js';
import { createServiceApp, type HttpConfig } from '../../core/src/http/service-app.js';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';
import type { SearchActivity } from './activity/search-activity.js';
import type { ApiKeyService } from './auth/api-key.service.js';
import type { WebSessionService } from './auth/web-session.service.js';
import { type ApiKeyGuardSettings, createApiKeyGuard } from './http/api-key.guard.js';
import { type ApiRoute, mountRoutes } from './http/api-route.js';
import { mountMcpRoutes } from './http/routes/mcp.routes.js';
import { activityRoutes } from './http/routes/activity.routes.js';
import { apiKeysRoutes } from './http/routes/api-keys.routes.js';
import { createGatewayHealthRouter } from './http/routes/health-report.routes.js';
import { filesRoutes } from './http/routes/files.routes.js';
import { openApiRoutes } from './http/routes/openapi.routes.js';
import { repositoriesRoutes } from './http/routes/repositories.routes.js';
import { searchRoutes } from './http/routes/search.routes.js';
import type { FileService } from './services/file.service.js';
import type { RepositoryService } from './services/repository.service.js';
import type { SearchService } from './services/search.service.js';
import { createWebSessionRouter, WEB_SESSION_OPERATIONS } from './http/web-session.routes.js';
import { createWebUiRouter } from './http/web-ui.routes.js';
import type { WebUiAssets } from './web-ui/web-ui-assets.js';

export interface GatewayDependencies {
  config: HttpConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  search: SearchService;
  files: FileService;
  repositories: RepositoryService;
  apiKeys: ApiKeyService;
  activity: SearchActivity;
  auth: ApiKeyGuardSettings;
  web: {
    sessions: WebSessionService;
    /** Signs the session cookie (SECRET_KEY). */
    cookieSecret: string;
    /** The built UI; undefined when this server has none (`/` then answers 503). */
    assets: WebUiAssets | undefined;
  };
  mcp: { maxBatchSize: number };
  readiness: readonly ReadinessCheck[];
  /** The health service, whose report `GET /api/v1/health` relays while it answers. */
  healthServiceUrl?: string;
}

/** Every REST operation of the gateway; the OpenAPI document is generated from this same list. */
export function gatewayRoutes(
  deps: Pick<GatewayDependencies, 'search' | 'files' | 'repositories' | 'apiKeys' | 'activity'>,
): ApiRoute[] {
  const routes = [
    ...searchRoutes(deps.search, deps.activity),
    ...activityRoutes(deps.activity),
    ...filesRoutes(deps.files),
    ...repositoriesRoutes(deps.repositories),
    ...apiKeysRoutes(deps.apiKeys),
  ];
  return [...routes, ...openApiRoutes(routes, WEB_SESSION_OPERATIONS)];
}

/** The gateway's express app, without listening (main.ts listens; tests drive it with supertest). */
export function createApp(deps: GatewayDependencies): Express {
  const guard = createApiKeyGuard(deps.apiKeys, deps.logger, { ...deps.auth, sessions: deps.web.sessions });
  return createServiceApp({
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    ...(deps.auth.store ? { rateLimitStore: deps.auth.store } : {}),
    routes: (app) => {
      app.use(cookieParser(deps.web.cookieSecret));
      app.use(createHealthProbesRouter({ readiness: deps.readiness }));
      app.use(createGatewayHealthRouter({ readiness: deps.readiness, healthServiceUrl: deps.healthServiceUrl }));
      const api = Router();
      mountRoutes(api, gatewayRoutes(deps), guard);
      mountMcpRoutes(api, deps, guard, { maxBatchSize: deps.mcp.maxBatchSize });
      app.use(
        createWebSessionRouter(deps.web.sessions, deps.logger, {
          failedAttemptsPer15Minutes: deps.auth.failedAttemptsPer15Minutes,
          ...(deps.auth.store ? { store: deps.auth.store } : {}),
        }),
      );
      app.use(api);
      app.use(createWebUiRouter(deps.web.assets));
    },
  });
}
