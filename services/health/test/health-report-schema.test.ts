import assert from 'node:assert/strict';
import request from 'supertest';
import { loadConfig } from '../../core/src/config/load-config.js';
import { createMetrics } from '../../core/src/metrics.js';
import { captureLogger } from '../../core/test/support/capture-logger.js';
import { healthSchemaErrors, publishedHealthSchema } from '../../../test/support/health-schema.js';
import { createApp } from '../src/app.js';
import { renderHealthReportJsonSchema } from '../src/health-report-schema.js';

const report = {
  status: 'degraded',
  timestamp: '2026-11-26T07:00:00.000Z',
  system_metrics: { cpu_percent: 12.5, memory_percent: 40, disk_percent: 70.1 },
  components: [
    {
      name: 'chroma',
      kind: 'vector-store',
      status: 'unhealthy',
      message: 'fetch failed: connect ECONNREFUSED',
      latency_ms: 3.2,
      checked_at: '2026-11-26T07:00:00.000Z',
    },
  ],
  alerts: [
    { name: 'SearchStoreUnavailable', severity: 'warning', message: 'chroma down', since: '2026-11-26T06:55:00.000Z' },
  ],
};

describe('health report JSON Schema (services/health/schema/health-report.schema.json)', () => {
  it('is the one generated from the zod schema (run `npm run docs:health-schema` after changing it)', () => {
    assert.deepEqual(publishedHealthSchema, JSON.parse(renderHealthReportJsonSchema()));
  });

  it('accepts a report in the production-guide shape', () => {
    assert.deepEqual(healthSchemaErrors(report), []);
  });

  it('rejects a report with an unknown status, a missing field or an out-of-range percentage', () => {
    assert.notDeepEqual(healthSchemaErrors({ ...report, status: 'ok' }), []);
    const { alerts: _alerts, ...withoutAlerts } = report;
    assert.notDeepEqual(healthSchemaErrors(withoutAlerts), []);
    assert.notDeepEqual(
      healthSchemaErrors({ ...report, system_metrics: { ...report.system_metrics, cpu_percent: 140 } }),
      [],
    );
    assert.notDeepEqual(healthSchemaErrors({ ...report, timestamp: 'yesterday' }), []);
  });

  it('GET /api/v1/health answers 503 with a valid unhealthy report before the first probe round', async () => {
    const { logger } = captureLogger({ level: 'error' });
    const app = createApp({
      config: loadConfig({}),
      logger,
      metrics: createMetrics('health'),
      latestReport: () => undefined,
    });
    const response = await request(app).get('/api/v1/health').expect(503);
    assert.deepEqual(healthSchemaErrors(response.body), []);
    assert.equal(response.body.status, 'unhealthy');
    await request(app).get('/api/v1/health/ready').expect(503);
    await request(app).get('/api/v1/health/live').expect(200);
  });
});
