import type { Express } from 'express';
import { createHealthProbesRouter, type ReadinessCheck } from '../../core/src/http/health-probes.js';
import { createServiceApp, type HttpConfig } from '../../core/src/http/service-app.js';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';

export interface IndexerAppDeps {
  config: HttpConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Catalog, keyword store and vector store: without them no job can make progress. */
  readiness: readonly ReadinessCheck[];
}

/** The indexer's HTTP surface, without listen: Kubernetes probes and /api/v1/metrics. Work arrives via the queue. */
export function createApp(deps: IndexerAppDeps): Express {
  return createServiceApp({
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    routes: (app) => {
      app.use(createHealthProbesRouter({ readiness: deps.readiness }));
    },
  });
}
