import assert from 'node:assert/strict';
import client from 'prom-client';
import { Metrics } from '../../../core/src/metric-names.js';
import { MetricsFormatError, parsePrometheusText } from '../../src/metrics-scrape/prometheus-text.js';
import { histogramQuantile, summarizeTraffic } from '../../src/metrics-scrape/traffic-summary.js';

/** A real prom-client registry shaped like a gateway's, so the parser reads what services really emit. */
function gatewayRegistry() {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service: 'search-gateway' });
  const def = Metrics.httpRequestDuration;
  const duration = new client.Histogram({
    name: def.name,
    help: def.help,
    labelNames: [...def.labelNames],
    buckets: [...def.buckets!],
    registers: [registry],
  });
  const requests = new client.Counter({
    name: Metrics.httpRequests.name,
    help: 'x',
    labelNames: [...Metrics.httpRequests.labelNames],
    registers: [registry],
  });
  const search = new client.Histogram({
    name: Metrics.searchDuration.name,
    help: 'x',
    labelNames: ['mode'],
    buckets: [...Metrics.searchDuration.buckets!],
    registers: [registry],
  });
  const request = (route: string, status: number, seconds: number) => {
    const labels = { method: 'GET', route, status: String(status) };
    duration.observe(labels, seconds);
    requests.inc(labels);
  };
  return { registry, request, search };
}

describe('parsePrometheusText', () => {
  it('reads every series of a labelled histogram with its labels, sum and count', async () => {
    const { registry, request } = gatewayRegistry();
    request('/api/v1/search', 200, 0.2);
    request('/api/v1/search', 500, 0.02);
    request('/api/v1/repositories/:name', 200, 0.004);
    const samples = parsePrometheusText(await registry.metrics());
    const counts = samples.filter((s) => s.name === `${Metrics.httpRequestDuration.name}_count`);
    assert.equal(counts.length, 3);
    assert.deepEqual(counts.map((s) => s.labels.status).sort(), ['200', '200', '500']);
    assert.ok(counts.every((s) => s.labels.service === 'search-gateway'));
    const inf = samples.find((s) => s.name.endsWith('_bucket') && s.labels.le === '+Inf' && s.labels.status === '500');
    assert.equal(inf?.value, 1);
  });

  it('unescapes label values and accepts timestamps and special values', () => {
    const [sample, nan, inf, promClientNan] = parsePrometheusText(
      'a{path="C:\\\\x \\"q\\"\\nz"} 1.5e3 1700000000\nb NaN\nc -Inf\nnodejs_eventloop_lag_mean_seconds Nan\n',
    );
    assert.ok(Number.isNaN(promClientNan?.value), 'prom-client writes NaN as Nan; Prometheus accepts it');
    assert.deepEqual(sample, { name: 'a', labels: { path: 'C:\\x "q"\nz' }, value: 1500 });
    assert.ok(Number.isNaN(nan?.value));
    assert.equal(inf?.value, Number.NEGATIVE_INFINITY);
  });

  it('rejects malformed lines with the line number', () => {
    assert.throws(
      () => parsePrometheusText('ok 1\nbad{x="1} 2'),
      (e: unknown) => e instanceof MetricsFormatError && /line 2/.test(e.message),
    );
    assert.throws(() => parsePrometheusText('x{a=1} 2'), MetricsFormatError);
    assert.throws(() => parsePrometheusText('x one'), MetricsFormatError);
  });
});

describe('histogramQuantile', () => {
  it('interpolates linearly inside the bucket like Prometheus', () => {
    const buckets = new Map([
      [0.1, 50],
      [0.5, 90],
      [1, 100],
      [Number.POSITIVE_INFINITY, 100],
    ]);
    assert.ok(Math.abs((histogramQuantile(0.5, buckets) ?? 0) - 0.1) < 1e-9);
    assert.ok(Math.abs((histogramQuantile(0.95, buckets) ?? 0) - 0.75) < 1e-9);
  });
  it('answers the highest finite bound when the quantile falls in +Inf, and null without data', () => {
    assert.equal(
      histogramQuantile(
        0.99,
        new Map([
          [1, 1],
          [Number.POSITIVE_INFINITY, 10],
        ]),
      ),
      1,
    );
    assert.equal(
      histogramQuantile(
        0.95,
        new Map([
          [1, 0],
          [Number.POSITIVE_INFINITY, 0],
        ]),
      ),
      null,
    );
  });
});

describe('summarizeTraffic', () => {
  it('measures p95 latency and 5xx rate over the window between two scrapes, leaving probes out', async () => {
    const { registry, request, search } = gatewayRegistry();
    for (let i = 0; i < 50; i += 1) request('/api/v1/search', 200, 0.003); // before the window
    const first = new Map([['gw-a', parsePrometheusText(await registry.metrics())]]);
    for (let i = 0; i < 18; i += 1) request('/api/v1/search', 200, 2);
    for (let i = 0; i < 2; i += 1) request('/api/v1/search', 503, 2);
    for (let i = 0; i < 100; i += 1) request('/api/v1/health/ready', 200, 0.001);
    search.observe({ mode: 'hybrid' }, 0.8);
    const second = new Map([['gw-a', parsePrometheusText(await registry.metrics())]]);

    const summary = summarizeTraffic(first, second);
    assert.equal(summary.requests, 20);
    assert.equal(summary.errorRatePercent, 10);
    assert.ok(summary.apiLatencyP95Ms !== null && summary.apiLatencyP95Ms > 1000, `p95 ${summary.apiLatencyP95Ms}`);
    assert.ok(summary.searchLatencyP95Ms !== null && summary.searchLatencyP95Ms > 500);
  });

  it('counts a restarted instance (counters went down) from zero, and a new instance from its second scrape', async () => {
    const a = gatewayRegistry();
    const b = gatewayRegistry();
    for (let i = 0; i < 10; i += 1) a.request('/api/v1/search', 200, 0.01);
    const before = new Map([['a', parsePrometheusText(await a.registry.metrics())]]);
    const restarted = gatewayRegistry();
    restarted.request('/api/v1/search', 500, 0.01);
    b.request('/api/v1/search', 200, 0.01);
    const after = new Map([
      ['a', parsePrometheusText(await restarted.registry.metrics())],
      ['b', parsePrometheusText(await b.registry.metrics())],
    ]);
    const summary = summarizeTraffic(before, after);
    assert.equal(summary.requests, 1, 'b is new: its counters cover its whole life, not the window');
    assert.equal(summary.errorRatePercent, 100);
    assert.equal(summary.searchLatencyP95Ms, null);
    const next = new Map([...after, ['b', parsePrometheusText(await b.registry.metrics())]]);
    b.request('/api/v1/search', 200, 0.01);
    const later = new Map([...next, ['b', parsePrometheusText(await b.registry.metrics())]]);
    assert.equal(summarizeTraffic(next, later).requests, 1, 'b counts from its second scrape on');
  });

  it('gives no verdict without a previous scrape', async () => {
    const a = gatewayRegistry();
    a.request('/api/v1/search', 500, 0.01);
    const summary = summarizeTraffic(null, new Map([['a', parsePrometheusText(await a.registry.metrics())]]));
    assert.deepEqual(summary, { requests: 0, apiLatencyP95Ms: null, searchLatencyP95Ms: null, errorRatePercent: null });
  });
});
