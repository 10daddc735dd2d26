import { type Express, Router } from 'express';
import { createHealthProbesRouter, type ReadinessCheck } from '../../core/src/http/health-probes.js';
import { createServiceApp, type HttpConfig } from '../../core/src/http/service-app.js';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';
import type { ApiKeyService } from './auth/api-key.service.js';
import { type ApiKeyGuardSettings, createApiKeyGuard } from './http/api-key.guard.js';
import { type ApiRoute, mountRoutes } from './http/api-route.js';
import { mountMcpRoutes } from './http/routes/mcp.routes.js';
import { apiKeysRoutes } from './http/routes/api-keys.routes.js';
import { createGatewayHealthRouter } from './http/routes/health-report.routes.js';
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
  mcp: { maxBatchSize: number };
  readiness: readonly ReadinessCheck[];
  /** The health service, whose report `GET /api/v1/health` relays while it answers. */
  healthServiceUrl?: string;
}

/** Every REST operation of the gateway; the OpenAPI document is generated from this same list. */
export function gatewayRoutes(
  deps: Pick<GatewayDependencies, 'search' | 'files' | 'repositories' | 'apiKeys'>,
): ApiRoute[] {
  const routes = [
    ...searchRoutes(deps.search),
    ...filesRoutes(deps.files),
    ...repositoriesRoutes(deps.repositories),
    ...apiKeysRoutes(deps.apiKeys),
  ];
  return [...routes, ...openApiRoutes(routes)];
}

/** The gateway's express app, without listening (main.ts listens; tests drive it with supertest). */
export function createApp(deps: GatewayDependencies): Express {
  const guard = createApiKeyGuard(deps.apiKeys, deps.logger, deps.auth);
  return createServiceApp({
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    ...(deps.auth.store ? { rateLimitStore: deps.auth.store } : {}),
    routes: (app) => {
      app.use(createHealthProbesRouter({ readiness: deps.readiness }));
      app.use(createGatewayHealthRouter({ readiness: deps.readiness, healthServiceUrl: deps.healthServiceUrl }));
      const api = Router();
      mountRoutes(api, gatewayRoutes(deps), guard);
      mountMcpRoutes(api, deps, guard, { maxBatchSize: deps.mcp.maxBatchSize });
      app.use(api);
    },
  });
}
