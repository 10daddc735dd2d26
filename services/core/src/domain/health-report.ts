import { z } from 'zod';

/**
 * The health document served by `GET /api/v1/health` and printed by `myragdb health`, in the shape of the
 * production guide. One zod schema is the source of both the TypeScript types and the published JSON Schema
 * (services/health/schema/health-report.schema.json), so the CLI, the service and the schema cannot disagree.
 */
export const HealthStatus = { HEALTHY: 'healthy', DEGRADED: 'degraded', UNHEALTHY: 'unhealthy' } as const;
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

export const AlertSeverity = { CRITICAL: 'critical', WARNING: 'warning' } as const;
export type AlertSeverity = (typeof AlertSeverity)[keyof typeof AlertSeverity];

/** What a component is: the status rules depend on it, not on its display name. */
export const ComponentKind = {
  POSTGRES: 'postgres',
  KEYWORD_STORE: 'keyword-store',
  VECTOR_STORE: 'vector-store',
  SEARCH_GATEWAY: 'search-gateway',
  INDEXER: 'indexer',
  INDEXING_QUEUE: 'indexing-queue',
  MONITOR: 'monitor',
} as const;
export type ComponentKind = (typeof ComponentKind)[keyof typeof ComponentKind];

const percent = z.number().min(0).max(100);

export const healthStatusSchema = z.enum([HealthStatus.HEALTHY, HealthStatus.DEGRADED, HealthStatus.UNHEALTHY]);

export const componentHealthSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(Object.values(ComponentKind) as [ComponentKind, ...ComponentKind[]]),
    status: healthStatusSchema,
    message: z.string(),
    /** Duration of the check; null when it could not be measured (e.g. not probed yet). */
    latency_ms: z.number().min(0).nullable(),
    checked_at: z.iso.datetime(),
    /** Check-specific numbers (pool stats, collection counts, backlog…), for people and dashboards. */
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ComponentHealth' });
export type ComponentHealth = z.infer<typeof componentHealthSchema>;

export const alertSchema = z
  .object({
    name: z.string().min(1),
    severity: z.enum([AlertSeverity.CRITICAL, AlertSeverity.WARNING]),
    message: z.string(),
    /** When the condition first held (the start of its `for` window), ISO-8601. */
    since: z.iso.datetime(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'Alert' });
export type Alert = z.infer<typeof alertSchema>;

export const systemMetricsSchema = z
  .object({ cpu_percent: percent, memory_percent: percent, disk_percent: percent })
  .meta({ id: 'SystemMetrics' });
export type SystemMetrics = z.infer<typeof systemMetricsSchema>;

export const healthReportSchema = z
  .object({
    status: healthStatusSchema,
    timestamp: z.iso.datetime(),
    system_metrics: systemMetricsSchema,
    components: z.array(componentHealthSchema),
    alerts: z.array(alertSchema),
  })
  .meta({
    id: 'HealthReport',
    title: 'MyRAGDB health report',
    description: 'GET /api/v1/health: HTTP 200 when healthy or degraded, 503 when unhealthy.',
  });
export type HealthReport = z.infer<typeof healthReportSchema>;

/** HTTP status for a report: degraded still serves traffic, so only unhealthy fails a probe. */
export function httpStatusForHealth(status: HealthStatus): 200 | 503 {
  return status === HealthStatus.UNHEALTHY ? 503 : 200;
}
