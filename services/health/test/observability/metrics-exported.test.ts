import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { PgliteSqlDatabase } from '../../../core/src/adapters/sql-database/pglite.sql-database.js';
import { loadConfig } from '../../../core/src/config/load-config.js';
import { createIndexingMetrics } from '../../../indexer/src/pipeline/indexing-metrics.js';
import { createMetrics, type ServiceMetrics } from '../../../core/src/metrics.js';
import { instrumentKeywordIndex } from '../../../core/src/store-metrics.js';
import { PostgresKeywordIndex } from '../../../core/src/adapters/keyword-index/postgres.keyword-index.js';
import { captureLogger } from '../../../core/test/support/capture-logger.js';
import { createApp as createIndexerApp } from '../../../indexer/src/app.js';
import { createSearchTelemetry } from '../../../search-gateway/src/services/search-telemetry.js';
import { createApp as createHealthApp } from '../../src/app.js';
import { composeHealthMonitor } from '../../src/compose.js';
import { healthSettingsFromConfig } from '../../src/settings.js';
import { checkPromql, dashboardExpressions } from './promql-metrics.js';

/**
 * Every metric an alert rule or a dashboard panel selects must be exported by a service. The registries are built
 * by the services' own production code (the health monitor, the indexer's metrics, the HTTP stack every service
 * has) and scraped through their real `/api/v1/metrics` route.
 */
const OBSERVABILITY = new URL('../../observability/', import.meta.url);
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/**
 * Metrics whose exporting code has not landed on main yet, and who owes them. Each is reported as a pending test
 * with this reason, never as passed; remove an entry when its service registers the metric.
 */
const NOT_YET_EXPORTED: Record<string, string> = {};

function referencedMetrics(): Map<string, string[]> {
  const references = new Map<string, string[]>();
  const add = (metric: string, where: string) => {
    const base = metric.replace(HISTOGRAM_SUFFIX, '');
    references.set(base, [...(references.get(base) ?? []), where]);
  };
  const rules = parseYaml(readFileSync(new URL('prometheus-rules.yaml', OBSERVABILITY), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    for (const metric of checkPromql(rule.expr).metrics) add(metric, `alert ${rule.alert}`);
  }
  const dashboard: unknown = JSON.parse(readFileSync(new URL('grafana-dashboard.json', OBSERVABILITY), 'utf8'));
  for (const { panel, expr } of dashboardExpressions(dashboard)) {
    for (const metric of checkPromql(expr).metrics) add(metric, `panel "${panel}"`);
  }
  return references;
}

/** Metric family names in an exposition (`# TYPE name kind`); histogram samples map back to their family. */
function exportedFamilies(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1] ?? ''));
}

describe('metrics used by alerts and dashboards are exported by the services', function () {
  const exported = new Map<string, Set<string>>();
  const references = referencedMetrics();
  let sql: PgliteSqlDatabase | undefined;

  before(async function () {
    this.timeout(60_000);
    const config = loadConfig({ MYRAGDB_DATA_DIR: '/tmp' });
    const { logger } = captureLogger({ level: 'error' });
    const scrape = async (service: string, metrics: ServiceMetrics, app: Parameters<typeof request>[0]) => {
      const response = await request(app).get('/api/v1/metrics').expect(200);
      assert.equal(metrics.service, service);
      exported.set(service, exportedFamilies(response.text));
    };

    sql = await PgliteSqlDatabase.open();
    const healthMetrics = createMetrics('health');
    const monitor = composeHealthMonitor({
      settings: healthSettingsFromConfig(config),
      logger,
      metrics: healthMetrics,
      sql,
    });
    await scrape(
      'health',
      healthMetrics,
      createHealthApp({ config, logger, metrics: healthMetrics, latestReport: () => monitor.latest() }),
    );

    // The gateway registers its search metrics through its telemetry; its full app needs stores, so its registry
    // is scraped through the same HTTP stack the indexer uses (core's service app and metrics handler).
    const gatewayMetrics = createMetrics('search-gateway');
    createSearchTelemetry(gatewayMetrics, logger);
    // Both the gateway and the indexer runtime wrap their stores like this.
    instrumentKeywordIndex(new PostgresKeywordIndex(sql), gatewayMetrics);
    await scrape(
      'search-gateway',
      gatewayMetrics,
      createIndexerApp({ config, logger, metrics: gatewayMetrics, readiness: [] }),
    );

    const indexerMetrics = createMetrics('indexer');
    createIndexingMetrics(indexerMetrics, () => Promise.resolve({ queued: 0, running: 0 }));
    await scrape(
      'indexer',
      indexerMetrics,
      createIndexerApp({ config, logger, metrics: indexerMetrics, readiness: [] }),
    );
  });
  after(async () => {
    await sql?.close();
  });

  it('finds the references (rules and dashboard were read)', () => {
    assert.ok(references.size >= 20, `only ${references.size} metrics referenced`);
    assert.ok(references.has('myragdb_alert_active') || references.has('myragdb_component_up'));
  });

  for (const [metric, where] of referencedMetrics()) {
    it(`${metric} (${where.length} use${where.length > 1 ? 's' : ''})`, function () {
      const by = [...exported].filter(([, families]) => families.has(metric)).map(([service]) => service);
      const owed = NOT_YET_EXPORTED[metric];
      if (by.length === 0 && owed !== undefined) {
        console.warn(
          `\n  *** PENDING "${metric}": not exported yet, owed by ${owed}; used by ${where.join(', ')} ***\n`,
        );
        this.skip();
      }
      assert.ok(by.length > 0, `${metric} is used by ${where.join(', ')} but no service exports it`);
      assert.equal(owed, undefined, `${metric} is exported by ${by.join(', ')}: remove it from NOT_YET_EXPORTED`);
    });
  }
});
