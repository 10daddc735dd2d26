import { ChromaClient } from 'chromadb';
import { Meilisearch } from 'meilisearch';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';
import type { IndexingQueueStatsSource } from '../../core/src/ports/indexing-queue-stats.js';
import type { SqlQueryable } from '../../core/src/ports/sql-database.js';
import { ChromaCheck } from './checks/chroma.check.js';
import type { ComponentCheck } from './checks/component-check.js';
import { IndexingQueueCheck } from './checks/indexing-queue.check.js';
import { MeilisearchCheck } from './checks/meilisearch.check.js';
import { PostgresCheck, type PoolStats } from './checks/postgres.check.js';
import type { ServiceInstance } from './checks/service-instance.check.js';
import type { InstanceDiscovery } from './discovery/instance-discovery.js';
import { buildAlertRules, type AlertThresholds } from './evaluation/alert-rules.js';
import { HealthMonitor } from './health-monitor.js';
import { httpMetricsSource, type MetricsSource } from './metrics-scrape/metrics-source.js';
import { SystemMetricsSampler } from './system/system-metrics.sampler.js';
import { METRICS_PATH } from '../../core/src/http/service-app.js';

/** What the health monitor needs from configuration (see healthSettingsFromConfig). */
export interface HealthSettings {
  checkTimeoutMs: number;
  backlogWindowMs: number;
  stuckJobAfterMs: number;
  dataDir: string;
  chromaUrl?: string | undefined;
  /** The keyword engine's Meilisearch, when it is the engine; `indexUid` is this installation's index. */
  meilisearch?: { url: string; apiKey?: string | undefined; indexUid: string } | undefined;
  thresholds: AlertThresholds;
}

export interface HealthMonitorDeps {
  settings: HealthSettings;
  logger: Logger;
  metrics: ServiceMetrics;
  sql: SqlQueryable;
  poolStats?: () => PoolStats;
  queueStats?: IndexingQueueStatsSource;
  discovery?: InstanceDiscovery;
  /** Local mode passes the in-process gateway registry; default: scrape each discovered gateway. */
  trafficSources?: (instances: readonly ServiceInstance[]) => MetricsSource[];
}

function chromaClient(url: string): ChromaClient {
  const parsed = new URL(url);
  return new ChromaClient({
    host: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    ssl: parsed.protocol === 'https:',
  });
}

const scrapeGateways = (instances: readonly ServiceInstance[]): MetricsSource[] =>
  instances
    .filter((instance) => instance.kind === 'search-gateway')
    .map((instance) => httpMetricsSource(instance.id, `${instance.url.replace(/\/+$/, '')}${METRICS_PATH}`));

/** Wires the checks for what is configured; used by the health service's main.ts and by `myragdb up`. */
export function composeHealthMonitor(deps: HealthMonitorDeps): HealthMonitor {
  const { settings } = deps;
  const checks: ComponentCheck<unknown>[] = [
    new PostgresCheck({ sql: deps.sql, ...(deps.poolStats ? { poolStats: deps.poolStats } : {}) }),
  ];
  if (settings.meilisearch) {
    const { url, apiKey, indexUid } = settings.meilisearch;
    checks.push(
      new MeilisearchCheck(
        new Meilisearch({ host: url, ...(apiKey ? { apiKey } : {}), timeout: settings.checkTimeoutMs }),
        indexUid,
      ),
    );
  }
  if (settings.chromaUrl) checks.push(new ChromaCheck(chromaClient(settings.chromaUrl)));

  return new HealthMonitor({
    checks,
    ...(deps.queueStats ? { queueCheck: new IndexingQueueCheck(deps.queueStats, settings.stuckJobAfterMs) } : {}),
    ...(deps.discovery ? { discovery: deps.discovery } : {}),
    trafficSources: deps.trafficSources ?? scrapeGateways,
    sampler: new SystemMetricsSampler(settings.dataDir),
    rules: buildAlertRules(settings.thresholds),
    checkTimeoutMs: settings.checkTimeoutMs,
    backlogWindowMs: settings.backlogWindowMs,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
