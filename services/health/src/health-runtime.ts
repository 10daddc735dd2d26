/**
 * The health service co-hosted in one process with the gateway it watches (`myragdb up`): the monitor over the
 * shared catalog database and stores, the gateway as its one static instance, and the health app (not listening).
 */
import type { Express } from 'express';
import type { AppConfig } from '../../core/src/config/load-config.js';
import type { Logger } from '../../core/src/logging.js';
import { createMetrics, type ServiceMetrics } from '../../core/src/metrics.js';
import type { IndexingQueueStatsSource } from '../../core/src/ports/indexing-queue-stats.js';
import type { SqlDatabase } from '../../core/src/ports/sql-database.js';
import { createApp } from './app.js';
import { composeHealthMonitor } from './compose.js';
import { StaticDiscovery } from './discovery/static.discovery.js';
import type { HealthMonitor } from './health-monitor.js';
import { registryMetricsSource } from './metrics-scrape/metrics-source.js';
import { healthSettingsFromConfig } from './settings.js';

export interface CoHostedHealthOptions {
  config: AppConfig;
  logger: Logger;
  sql: SqlDatabase;
  queueStats: IndexingQueueStatsSource;
  /** Chroma's URL when CHROMA_URL is unset (local mode's own Chroma). */
  chromaUrl?: string;
  gateway: { url: string; metrics: ServiceMetrics };
}

export interface CoHostedHealth {
  app: Express;
  monitor: HealthMonitor;
}

export function createCoHostedHealth(options: CoHostedHealthOptions): CoHostedHealth {
  const { config, logger, gateway } = options;
  const metrics = createMetrics('health');
  const monitor = composeHealthMonitor({
    settings: { ...healthSettingsFromConfig(config), chromaUrl: config.CHROMA_URL ?? options.chromaUrl },
    logger,
    metrics,
    sql: options.sql,
    queueStats: options.queueStats,
    discovery: new StaticDiscovery({ 'search-gateway': [gateway.url] }),
    trafficSources: () => [registryMetricsSource('search-gateway', gateway.metrics.registry)],
  });
  const app = createApp({ config, logger, metrics, latestReport: () => monitor.latest() });
  return { app, monitor };
}
