/**
 * Composition root of the health service: config → logger, metrics, Postgres, discovery → monitor → HTTP.
 * The monitor probes on its interval; the server answers from the last completed round.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { PgSqlDatabase } from '../../core/src/adapters/sql-database/pg.sql-database.js';
import { PostgresIndexingQueueStats } from '../../core/src/adapters/indexing-queue-stats/postgres.indexing-queue-stats.js';
import { loadConfig, type AppConfig } from '../../core/src/config/load-config.js';
import { sharedDatabaseUrl } from '../../core/src/db/open-database.js';
import { startServer } from '../../core/src/http/server.js';
import { createLoggerFromConfig } from '../../core/src/logging.js';
import { createMetrics } from '../../core/src/metrics.js';
import { createApp } from './app.js';
import { composeHealthMonitor } from './compose.js';
import type { InstanceDiscovery } from './discovery/instance-discovery.js';
import { KubernetesDiscovery } from './discovery/kubernetes.discovery.js';
import { StaticDiscovery } from './discovery/static.discovery.js';
import { healthSettingsFromConfig } from './settings.js';
import { runMain } from '../../core/src/entrypoint.js';

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function discoveryFromConfig(config: AppConfig): InstanceDiscovery {
  if (config.HEALTH_DISCOVERY === 'static') {
    return new StaticDiscovery({ 'search-gateway': config.HEALTH_GATEWAY_URLS, indexer: config.HEALTH_INDEXER_URLS });
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const namespace = config.HEALTH_KUBERNETES_NAMESPACE ?? readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
  return new KubernetesDiscovery(kubeConfig, namespace, [
    { kind: 'search-gateway', service: config.HEALTH_GATEWAY_SERVICE },
    { kind: 'indexer', service: config.HEALTH_INDEXER_SERVICE },
  ]);
}

await runMain('health', async () => {
  const config = loadConfig(process.env);
  const logger = createLoggerFromConfig(config, 'health');
  const url = sharedDatabaseUrl(config, 'health', 'it monitors the shared PostgreSQL');
  const metrics = createMetrics('health');
  const sql = new PgSqlDatabase({ url, poolSize: 2, applicationName: 'myragdb-health' });
  const monitor = composeHealthMonitor({
    settings: healthSettingsFromConfig(config),
    logger,
    metrics,
    sql,
    poolStats: () => sql.poolStats(),
    queueStats: new PostgresIndexingQueueStats(sql),
    discovery: discoveryFromConfig(config),
  });
  monitor.start(config.HEALTH_CHECK_INTERVAL_MS);

  await startServer({
    app: createApp({ config, logger, metrics, latestReport: () => monitor.latest() }),
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    closers: [
      { name: 'postgres', close: () => sql.close() },
      { name: 'health monitor', close: () => monitor.stop() },
    ],
  });
});
