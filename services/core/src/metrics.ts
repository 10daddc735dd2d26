/**
 * Per-service Prometheus registry (never prom-client's global one, so tests and co-hosted services do not collide)
 * with default process metrics, the HTTP request histogram and counter, and the `/api/v1/metrics` handler.
 * Metric names come from the catalog in metric-names.ts.
 */
import type { RequestHandler } from 'express';
import client from 'prom-client';
import { type MetricDefinition, Metrics } from './metric-names.js';

/** Route label for requests no route matched, so unknown paths cannot explode label cardinality. */
export const UNMATCHED_ROUTE = '<unmatched>';

export interface ServiceMetrics {
  readonly service: string;
  readonly registry: client.Registry;
  readonly httpRequestDuration: client.Histogram<'method' | 'route' | 'status'>;
  readonly httpRequests: client.Counter<'method' | 'route' | 'status'>;
  counter<L extends string>(definition: MetricDefinition<L>): client.Counter<L>;
  gauge<L extends string>(definition: MetricDefinition<L>): client.Gauge<L>;
  histogram<L extends string>(definition: MetricDefinition<L>): client.Histogram<L>;
}

/**
 * How often the event loop lag histogram samples. prom-client's default, 10 ms, wakes the process 100 times a second
 * per registry: most of what an idle `myragdb up` (three registries) spent, 0.6 % of a core each. Once a second still
 * catches the stalls worth seeing.
 */
export const EVENT_LOOP_SAMPLE_MS = 1_000;

export function createMetrics(service: string): ServiceMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });

  // One instance per name per registry: asking twice for a catalog metric returns the same collector.
  const existing = <T>(definition: MetricDefinition, expected: MetricDefinition['type']): T | undefined => {
    if (definition.type !== expected) {
      throw new Error(`metric ${definition.name} is a ${definition.type}, not a ${expected}`);
    }
    return registry.getSingleMetric(definition.name) as T | undefined;
  };
  const base = <L extends string>(definition: MetricDefinition<L>) => ({
    name: definition.name,
    help: definition.help,
    labelNames: [...definition.labelNames],
    registers: [registry],
  });
  const metrics = {
    service,
    registry,
    counter<L extends string>(definition: MetricDefinition<L>) {
      return existing<client.Counter<L>>(definition, 'counter') ?? new client.Counter<L>(base(definition));
    },
    gauge<L extends string>(definition: MetricDefinition<L>) {
      return existing<client.Gauge<L>>(definition, 'gauge') ?? new client.Gauge<L>(base(definition));
    },
    histogram<L extends string>(definition: MetricDefinition<L>) {
      return (
        existing<client.Histogram<L>>(definition, 'histogram') ??
        new client.Histogram<L>({
          ...base(definition),
          ...(definition.buckets ? { buckets: [...definition.buckets] } : {}),
        })
      );
    },
  };
  return {
    ...metrics,
    httpRequestDuration: metrics.histogram(Metrics.httpRequestDuration),
    httpRequests: metrics.counter(Metrics.httpRequests),
  };
}

/** Records duration and count per method, route template (e.g. `/api/v1/repositories/:name`) and status. */
export function httpMetricsMiddleware(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      // req.route is the matched layer; baseUrl is the mount path of the router that served it.
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : UNMATCHED_ROUTE;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      stopTimer(labels);
      metrics.httpRequests.inc(labels);
    });
    next();
  };
}

export function metricsHandler(metrics: ServiceMetrics): RequestHandler {
  return async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}
