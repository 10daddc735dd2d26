/**
 * The health service against real stores, through every status transition the production guide names:
 * all up → healthy; Chroma stopped → degraded, then SearchStoreUnavailable after its `for`; Chroma back → healthy,
 * alert resolved; PostgreSQL stopped → unhealthy, HTTP 503, DatabaseUnavailable; PostgreSQL back → healthy.
 * Chroma and PostgreSQL are this suite's own servers (never the shared ones), so stopping them harms nobody.
 * Durations are shortened through the same settings the service reads from its config.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { PostgresIndexingQueueStats } from '../../../services/core/src/adapters/indexing-queue-stats/postgres.indexing-queue-stats.js';
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import type { HealthReport } from '../../../services/core/src/domain/health-report.js';
import { createMetrics } from '../../../services/core/src/metrics.js';
import { captureLogger } from '../../../services/core/test/support/capture-logger.js';
import { createApp as createIndexerApp } from '../../../services/indexer/src/app.js';
import { createApp } from '../../../services/health/src/app.js';
import { composeHealthMonitor } from '../../../services/health/src/compose.js';
import { StaticDiscovery } from '../../../services/health/src/discovery/static.discovery.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../../services/health/src/evaluation/alert-rules.js';
import type { HealthMonitor } from '../../../services/health/src/health-monitor.js';
import { healthSchemaErrors } from '../../support/health-schema.js';
import { registerTeardown } from '../../support/hooks.js';
import { createPostgresCluster, postgresBinDir, type PostgresCluster } from '../../support/postgres-cluster.js';
import { freePort, waitForHttp } from '../../support/ports.js';
import { skipSuite } from '../../support/skip.js';
import { createHttpServer } from '../../../services/core/src/http/server.js';

const ROUND_MS = 250;
const WARNING_FOR_MS = 3000;
const CRITICAL_FOR_MS = 2000;
const CHROMA_BIN = new URL('../../../node_modules/.bin/chroma', import.meta.url).pathname;

/** A Chroma server on a fixed port and data dir, so it can be stopped and brought back at the same URL. */
class RestartableChroma {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const child = spawn(CHROMA_BIN, ['run', '--path', this.dataDir, '--port', String(this.port)], { stdio: 'ignore' });
    this.child = child;
    await waitForHttp(`${this.url}/api/v2/heartbeat`, 60_000, () => child.exitCode === null);
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killTimer);
  }
}

describe('health service status transitions with real stores', function () {
  this.timeout(60_000);
  let cluster: PostgresCluster;
  let chroma: RestartableChroma;
  let chromaDir: string;
  let sql: PgSqlDatabase;
  let indexerSql: PgSqlDatabase;
  let indexerServer: Server;
  let monitor: HealthMonitor;
  let app: ReturnType<typeof createApp>;
  const captured = captureLogger({ service: 'health', level: 'info' });

  /** Polls GET /api/v1/health until `accept` holds for the report; returns the response. */
  async function waitForReport(accept: (report: HealthReport) => boolean, what: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last: HealthReport | undefined;
    while (Date.now() < deadline) {
      const response = await request(app).get('/api/v1/health');
      last = response.body as HealthReport;
      if (accept(last)) return response;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting for ${what}; last report: ${JSON.stringify(last, null, 1)}`);
  }
  const component = (report: HealthReport, name: string) => report.components.find((c) => c.name === name);
  const alertNames = (report: HealthReport) => report.alerts.map((alert) => alert.name);

  before(async function () {
    this.timeout(180_000);
    if (postgresBinDir() === undefined) skipSuite(this, 'PostgreSQL binaries missing (apt-get install postgresql)');
    cluster = await createPostgresCluster();
    await cluster.start();
    chromaDir = await mkdtemp(join(tmpdir(), 'myragdb-health-chroma-'));
    chroma = new RestartableChroma(await freePort(), chromaDir);
    registerTeardown(async () => {
      await chroma.stop();
      await rm(chromaDir, { recursive: true, force: true });
    });
    await chroma.start();

    sql = new PgSqlDatabase({
      url: cluster.url,
      poolSize: 2,
      connectionTimeoutMs: 1000,
      applicationName: 'health-test',
    });
    await migrate(sql);

    // A real indexer HTTP surface whose readiness needs the same PostgreSQL.
    const config = loadConfig({});
    indexerSql = new PgSqlDatabase({ url: cluster.url, poolSize: 1, connectionTimeoutMs: 1000 });
    const indexerApp = createIndexerApp({
      config,
      logger: captureLogger({ level: 'error' }).logger,
      metrics: createMetrics('indexer'),
      readiness: [{ name: 'postgres', check: () => indexerSql.query('SELECT 1') }],
    });
    indexerServer = createHttpServer(indexerApp);
    await new Promise<void>((resolve) => indexerServer.listen(0, '127.0.0.1', resolve));
    const indexerUrl = `http://127.0.0.1:${(indexerServer.address() as AddressInfo).port}`;

    const metrics = createMetrics('health');
    monitor = composeHealthMonitor({
      settings: {
        checkTimeoutMs: 2000,
        backlogWindowMs: 60_000,
        stuckJobAfterMs: 60_000,
        dataDir: chromaDir,
        chromaUrl: chroma.url,
        thresholds: {
          ...DEFAULT_ALERT_THRESHOLDS,
          // This machine may be busy (parallel builds): resource alerts are not under test here.
          cpuPercent: 100,
          memoryPercent: 100,
          diskPercent: 100,
          forMs: WARNING_FOR_MS,
          criticalForMs: CRITICAL_FOR_MS,
        },
      },
      logger: captured.logger,
      metrics,
      sql,
      poolStats: () => sql.poolStats(),
      queueStats: new PostgresIndexingQueueStats(sql),
      discovery: new StaticDiscovery({ indexer: [indexerUrl] }),
    });
    app = createApp({ config, logger: captured.logger, metrics, latestReport: () => monitor.latest() });
    monitor.start(ROUND_MS);
  });

  after(async () => {
    await monitor?.stop();
    await new Promise((resolve) => (indexerServer ? indexerServer.close(resolve) : resolve(undefined)));
    await indexerSql?.close();
    await sql?.close();
    await chroma?.stop();
    await cluster?.destroy();
  });

  it('all up: healthy, HTTP 200, every component healthy, real system metrics, valid against the schema', async () => {
    const response = await waitForReport((r) => r.status === 'healthy', 'healthy');
    assert.equal(response.status, 200);
    const report = response.body as HealthReport;
    assert.deepEqual(healthSchemaErrors(report), []);
    assert.deepEqual(
      report.components.map((c) => [c.kind, c.status]),
      [
        ['postgres', 'healthy'],
        ['vector-store', 'healthy'],
        ['indexing-queue', 'healthy'],
        ['indexer', 'healthy'],
      ],
    );
    assert.match(component(report, 'postgres')?.message ?? '', /reachable, \d+ connection\(s\) of \d+/);
    assert.equal(component(report, 'indexing-queue')?.message, '0 queued, 0 running');
    assert.deepEqual(report.alerts, []);

    const expectedMemory = (1 - freemem() / totalmem()) * 100;
    assert.ok(
      Math.abs(report.system_metrics.memory_percent - expectedMemory) < 10,
      `memory ${report.system_metrics.memory_percent} vs ${expectedMemory}`,
    );
    const fs = statfsSync(chromaDir);
    const used = fs.blocks - fs.bfree;
    const expectedDisk = (used / (used + fs.bavail)) * 100;
    assert.ok(
      Math.abs(report.system_metrics.disk_percent - expectedDisk) < 2,
      `disk ${report.system_metrics.disk_percent} vs ${expectedDisk}`,
    );
    assert.ok(report.system_metrics.cpu_percent >= 0 && report.system_metrics.cpu_percent <= 100);
  });

  it('Chroma stopped: degraded with a Chroma message at once, SearchStoreUnavailable only after its `for`', async () => {
    await chroma.stop();
    const first = await waitForReport((r) => component(r, 'chroma')?.status === 'unhealthy', 'chroma unhealthy');
    const degraded = first.body as HealthReport;
    assert.equal(first.status, 200);
    assert.equal(degraded.status, 'degraded');
    assert.match(component(degraded, 'chroma')?.message ?? '', /ECONNREFUSED|fetch failed|Failed to connect/i);
    assert.ok(!alertNames(degraded).includes('SearchStoreUnavailable'), 'not before its for duration');
    assert.deepEqual(healthSchemaErrors(degraded), []);

    const firing = (await waitForReport((r) => alertNames(r).includes('SearchStoreUnavailable'), 'the alert'))
      .body as HealthReport;
    const alert = firing.alerts.find((a) => a.name === 'SearchStoreUnavailable')!;
    assert.equal(alert.severity, 'warning');
    assert.match(alert.message, /chroma/);
    assert.ok(Date.parse(firing.timestamp) - Date.parse(alert.since) >= WARNING_FOR_MS, 'fired only after `for`');
    assert.ok(Date.parse(alert.since) <= Date.parse(degraded.timestamp), 'since = when the condition started');
    assert.equal(firing.status, 'degraded');

    const metrics = await request(app).get('/api/v1/metrics').expect(200);
    assert.match(metrics.text, /myragdb_alert_active\{alertname="SearchStoreUnavailable",severity="warning"[^}]*\} 1/);
    assert.match(metrics.text, /myragdb_component_up\{component="chroma"[^}]*\} 0/);
    assert.ok(
      captured.records().some((r) => r.level === 'warn' && r.message === 'alert firing: SearchStoreUnavailable'),
    );
  });

  it('Chroma back: healthy again, the alert resolved in the report, the logs and the metrics', async () => {
    await chroma.start();
    const response = await waitForReport((r) => r.status === 'healthy', 'healthy after Chroma restart');
    assert.deepEqual((response.body as HealthReport).alerts, []);
    assert.ok(captured.records().some((r) => r.message === 'alert resolved: SearchStoreUnavailable'));
    const metrics = await request(app).get('/api/v1/metrics').expect(200);
    assert.doesNotMatch(metrics.text, /myragdb_alert_active\{alertname="SearchStoreUnavailable"/);
  });

  it('PostgreSQL stopped: unhealthy with HTTP 503, the indexer not ready, DatabaseUnavailable after its `for`', async () => {
    await cluster.stop();
    const down = await waitForReport((r) => r.status === 'unhealthy', 'unhealthy');
    assert.equal(down.status, 503);
    const report = down.body as HealthReport;
    assert.deepEqual(healthSchemaErrors(report), []);
    assert.equal(component(report, 'postgres')?.status, 'unhealthy');

    const firing = await waitForReport(
      (r) =>
        alertNames(r).includes('DatabaseUnavailable') &&
        r.components.some((c) => c.kind === 'indexer' && c.status === 'unhealthy'),
      'DatabaseUnavailable and the indexer not ready',
    );
    assert.equal(firing.status, 503);
    const body = firing.body as HealthReport;
    assert.equal(body.alerts.find((a) => a.name === 'DatabaseUnavailable')?.severity, 'critical');
    const indexer = body.components.find((c) => c.kind === 'indexer');
    assert.match(indexer?.message ?? '', /not ready \(HTTP 503\): postgres/);
    assert.ok(captured.records().some((r) => r.level === 'error' && r.message === 'alert firing: DatabaseUnavailable'));
  });

  it('PostgreSQL back: healthy, HTTP 200, DatabaseUnavailable resolved', async () => {
    await cluster.start();
    const response = await waitForReport((r) => r.status === 'healthy', 'healthy after PostgreSQL restart');
    assert.equal(response.status, 200);
    assert.deepEqual((response.body as HealthReport).alerts, []);
    assert.ok(captured.records().some((r) => r.message === 'alert resolved: DatabaseUnavailable'));
  });
});
