import { type Express, Router } from 'express';
import { createHealthProbesRouter, type ReadinessCheck } from '../../core/src/http/health-probes.js';
import { createServiceApp, type HttpConfig } from '../../core/src/http/service-app.js';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';
import type { ApiKeyService } from './auth/api-key.service.js';
import { type ApiKeyGuardSettings, createApiKeyGuard } from './http/api-key.guard.js';
import { API_PREFIX, type ApiRoute, mountRoutes } from './http/api-route.js';
import { MCP_PATH } from './api/paths.js';
import { mountMcpRoutes } from './http/routes/mcp.routes.js';
import { filesRoutes } from './http/routes/files.routes.js';
import { openApiRoutes } from './http/routes/openapi.routes.js';
import { repositoriesRoutes } from './http/routes/repositories.routes.js';
import { searchRoutes } from './http/routes/search.routes.js';
import type { FileService } from './services/file.service.js';
import type { RepositoryService } from './services/repository.service.js';
import type { SearchService } from './services/search.service.js';

export interface GatewayDependencies {
  config: HttpConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  search: SearchService;
  files: FileService;
  repositories: RepositoryService;
  apiKeys: ApiKeyService;
  auth: ApiKeyGuardSettings;
  readiness: readonly ReadinessCheck[];
}

/** Every REST operation of the gateway; the OpenAPI document is generated from this same list. */
export function gatewayRoutes(deps: Pick<GatewayDependencies, 'search' | 'files' | 'repositories'>): ApiRoute[] {
  const routes = [...searchRoutes(deps.search), ...filesRoutes(deps.files), ...repositoriesRoutes(deps.repositories)];
  return [...routes, ...openApiRoutes(routes)];
}

/** The gateway's express app, without listening (main.ts listens; tests drive it with supertest). */
export function createApp(deps: GatewayDependencies): Express {
  const guard = createApiKeyGuard(deps.apiKeys, deps.logger, deps.auth);
  return createServiceApp({
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    routes: (app) => {
      app.use(createHealthProbesRouter({ readiness: deps.readiness }));
      app.use([API_PREFIX, MCP_PATH], guard.failedAttemptLimiter);
      const api = Router();
      mountRoutes(api, gatewayRoutes(deps), guard);
      mountMcpRoutes(api, deps, guard);
      app.use(api);
    },
  });
}
