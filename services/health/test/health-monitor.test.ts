import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgliteSqlDatabase } from '../../core/src/adapters/sql-database/pglite.sql-database.js';
import { loadConfig } from '../../core/src/config/load-config.js';
import { InternalError } from '../../core/src/errors.js';
import { createHealthProbesRouter } from '../../core/src/http/health-probes.js';
import { createServiceApp } from '../../core/src/http/service-app.js';
import { createMetrics, type ServiceMetrics } from '../../core/src/metrics.js';
import { captureLogger } from '../../core/test/support/capture-logger.js';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../../../test/support/ports.js';
import { composeHealthMonitor } from '../src/compose.js';
import { KubernetesDiscovery } from '../src/discovery/kubernetes.discovery.js';
import { StaticDiscovery } from '../src/discovery/static.discovery.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../src/evaluation/alert-rules.js';
import type { HealthMonitor } from '../src/health-monitor.js';
import { registryMetricsSource } from '../src/metrics-scrape/metrics-source.js';
import { createHttpServer } from '../../core/src/http/server.js';

/**
 * The monitor's traffic path: a real service stack (core middleware, HTTP metrics, probes) serves requests, the
 * monitor scrapes its /api/v1/metrics between rounds and raises and resolves HighErrorRate and HighApiLatency.
 */
describe('HealthMonitor discovery failures', () => {
  it('reports an unreachable Kubernetes API as a degraded instance-discovery component, not a crash', async function () {
    this.timeout(30_000);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'gone', server: `https://127.0.0.1:${await freePort()}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
      currentContext: 'c',
    });
    const sql = await PgliteSqlDatabase.open();
    try {
      const monitor = composeHealthMonitor({
        settings: {
          checkTimeoutMs: 5000,
          backlogWindowMs: 60_000,
          stuckJobAfterMs: 60_000,
          dataDir: '/tmp',
          thresholds: DEFAULT_ALERT_THRESHOLDS,
        },
        logger: captureLogger({ level: 'error' }).logger,
        metrics: createMetrics('health'),
        sql,
        discovery: new KubernetesDiscovery(kubeConfig, 'myragdb', [
          { kind: 'search-gateway', service: 'myragdb-search-gateway' },
        ]),
      });
      const report = await monitor.runRound();
      const failure = report.components.find((c) => c.name === 'instance-discovery');
      assert.equal(failure?.status, 'degraded');
      assert.match(failure?.message ?? '', /cannot list search-gateway\/indexer instances: .*ECONNREFUSED/);
      assert.equal(report.components.find((c) => c.kind === 'postgres')?.status, 'healthy');
      assert.equal(report.status, 'degraded');
    } finally {
      await sql.close();
    }
  });
});

describe('HealthMonitor traffic alerts from a scraped service', function () {
  this.timeout(30_000);
  let server: Server;
  let url: string;
  let serviceMetrics: ServiceMetrics;
  let sql: PgliteSqlDatabase;
  const captured = captureLogger({ level: 'info' });

  before(async () => {
    serviceMetrics = createMetrics('search-gateway');
    const app = createServiceApp({
      config: loadConfig({ RATE_LIMIT_REQUESTS_PER_MINUTE: '100000', RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '100000' }),
      logger: captureLogger({ level: 'error' }).logger,
      metrics: serviceMetrics,
      routes: (express) => {
        express.use(createHealthProbesRouter({ readiness: [] }));
        express.get('/api/v1/search', (_req, res) => res.json({ results: [] }));
        express.get('/api/v1/broken', async () => {
          await sleep(120);
          throw new InternalError('store exploded');
        });
      },
    });
    server = createHttpServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sql = await PgliteSqlDatabase.open();
  });
  after(async () => {
    server.close();
    await sql.close();
  });

  const monitorWith = (trafficSources?: Parameters<typeof composeHealthMonitor>[0]['trafficSources']) =>
    composeHealthMonitor({
      settings: {
        checkTimeoutMs: 5000,
        backlogWindowMs: 60_000,
        stuckJobAfterMs: 60_000,
        dataDir: '/tmp',
        thresholds: {
          ...DEFAULT_ALERT_THRESHOLDS,
          apiLatencyMs: 50,
          cpuPercent: 100,
          memoryPercent: 100,
          diskPercent: 100,
          forMs: 0,
        },
      },
      logger: captured.logger,
      metrics: createMetrics('health'),
      sql,
      discovery: new StaticDiscovery({ 'search-gateway': [url] }),
      ...(trafficSources ? { trafficSources } : {}),
    });
  /** API requests the service has counted so far (probe routes excluded, like the monitor does). */
  const counted = async () =>
    (await serviceMetrics.httpRequests.get()).values
      .filter((v) => !String(v.labels.route).startsWith('/api/v1/health'))
      .reduce((sum, v) => sum + v.value, 0);
  /** Sends requests and waits until the service has recorded them (it counts on 'finish', which may trail the reply). */
  const traffic = async (ok: number, broken: number) => {
    const expected = (await counted()) + ok + broken;
    await Promise.all([
      ...Array.from({ length: ok }, () => fetch(`${url}/api/v1/search`).then((r) => r.text())),
      ...Array.from({ length: broken }, () => fetch(`${url}/api/v1/broken`).then((r) => r.text())),
    ]);
    while ((await counted()) < expected) await sleep(10);
  };
  const names = async (monitor: HealthMonitor) => (await monitor.runRound()).alerts.map((a) => a.name).sort();

  it('fires on 5xx share and slow p95 between two rounds, and resolves when traffic is healthy again', async () => {
    const monitor = monitorWith();
    const baseline = await monitor.runRound();
    assert.equal(baseline.components.find((c) => c.kind === 'search-gateway')?.status, 'healthy');
    assert.deepEqual(baseline.alerts, []);

    await traffic(25, 5);
    const firing = await monitor.runRound();
    assert.deepEqual(firing.alerts.map((a) => a.name).sort(), ['HighApiLatency', 'HighErrorRate']);
    assert.match(
      firing.alerts.find((a) => a.name === 'HighErrorRate')?.message ?? '',
      /^16\.7 % of requests failed with 5xx/,
    );
    assert.ok(captured.records().some((r) => r.message === 'alert firing: HighErrorRate'));

    await traffic(30, 0);
    assert.deepEqual(await names(monitor), []);
    assert.ok(captured.records().some((r) => r.message === 'alert resolved: HighApiLatency'));
  });

  it('does not judge the error rate on too few requests', async () => {
    const monitor = monitorWith();
    await monitor.runRound();
    await traffic(2, 1);
    assert.deepEqual(await names(monitor), ['HighApiLatency']);
  });

  it('reads the in-process registry in local mode the same way', async () => {
    const monitor = monitorWith(() => [registryMetricsSource('local', serviceMetrics.registry)]);
    await monitor.runRound();
    await traffic(20, 5);
    assert.ok((await names(monitor)).includes('HighErrorRate'));
  });
});
