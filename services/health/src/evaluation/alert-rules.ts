import { AlertSeverity, ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';
import type { AlertCondition, AlertRule } from './alert-evaluator.js';
import type { HealthObservations } from './health-observations.js';

/**
 * The health service's alert rules with the production guide's thresholds as defaults. The same alert names are
 * used by the Prometheus rules (services/health/observability/prometheus-rules.yaml), and each has a runbook at
 * services/health/docs/runbooks/<name>.md.
 */
export interface AlertThresholds {
  apiLatencyMs: number;
  searchLatencyMs: number;
  errorRatePercent: number;
  /** Fewer requests than this in a window give no error-rate verdict (1 failure of 3 is not a 33 % outage). */
  errorRateMinRequests: number;
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
  /** `for` of warning alerts. */
  forMs: number;
  /** `for` of critical alerts (database unavailable): shorter, an outage should page quickly. */
  criticalForMs: number;
  keepFiringForMs: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  apiLatencyMs: 1000,
  searchLatencyMs: 500,
  errorRatePercent: 1,
  errorRateMinRequests: 20,
  cpuPercent: 80,
  memoryPercent: 85,
  diskPercent: 90,
  forMs: 5 * 60_000,
  criticalForMs: 60_000,
  keepFiringForMs: 0,
};

export const AlertName = {
  DATABASE_UNAVAILABLE: 'DatabaseUnavailable',
  SEARCH_STORE_UNAVAILABLE: 'SearchStoreUnavailable',
  SERVICE_INSTANCE_DOWN: 'ServiceInstanceDown',
  HIGH_API_LATENCY: 'HighApiLatency',
  SEARCH_LATENCY_HIGH: 'SearchLatencyHigh',
  HIGH_ERROR_RATE: 'HighErrorRate',
  HIGH_CPU_USAGE: 'HighCpuUsage',
  HIGH_MEMORY_USAGE: 'HighMemoryUsage',
  HIGH_DISK_USAGE: 'HighDiskUsage',
  INDEXING_BACKLOG_GROWING: 'IndexingBacklogGrowing',
  INDEXING_STALLED: 'IndexingStalled',
  REPOSITORY_SYNC_FAILING: 'RepositorySyncFailing',
  MEILISEARCH_TASKS_FAILING: 'MeilisearchTasksFailing',
} as const;
export type AlertName = (typeof AlertName)[keyof typeof AlertName];

const single = (holds: boolean, message: string): AlertCondition[] => (holds ? [{ key: '', message }] : []);
const round = (value: number) => Math.round(value * 10) / 10;

export function buildAlertRules(thresholds: AlertThresholds): AlertRule<HealthObservations>[] {
  const warning = {
    severity: AlertSeverity.WARNING,
    forMs: thresholds.forMs,
    keepFiringForMs: thresholds.keepFiringForMs,
  };
  const critical = {
    severity: AlertSeverity.CRITICAL,
    forMs: thresholds.criticalForMs,
    keepFiringForMs: thresholds.keepFiringForMs,
  };
  const down = (o: HealthObservations, kinds: readonly string[]) =>
    o.components.filter((c) => kinds.includes(c.kind) && c.status === HealthStatus.UNHEALTHY);

  return [
    {
      name: AlertName.DATABASE_UNAVAILABLE,
      ...critical,
      conditions: (o) =>
        down(o, [ComponentKind.POSTGRES]).map((c) => ({
          key: c.name,
          message: `${c.name} is unreachable: ${c.message}`,
        })),
    },
    {
      name: AlertName.SEARCH_STORE_UNAVAILABLE,
      ...warning,
      conditions: (o) =>
        down(o, [ComponentKind.KEYWORD_STORE, ComponentKind.VECTOR_STORE]).map((c) => ({
          key: c.name,
          message: `${c.name} (${c.kind}) is unreachable, search is degraded: ${c.message}`,
          labels: { component: c.name },
        })),
    },
    {
      name: AlertName.SERVICE_INSTANCE_DOWN,
      ...warning,
      conditions: (o) =>
        down(o, [ComponentKind.SEARCH_GATEWAY, ComponentKind.INDEXER]).map((c) => ({
          key: c.name,
          message: `${c.name} is not ready: ${c.message}`,
          labels: { component: c.name },
        })),
    },
    {
      name: AlertName.HIGH_API_LATENCY,
      ...warning,
      conditions: (o) => {
        const p95 = o.traffic?.apiLatencyP95Ms ?? null;
        return single(
          p95 !== null && p95 > thresholds.apiLatencyMs,
          `API p95 response time ${round(p95 ?? 0)} ms exceeds ${thresholds.apiLatencyMs} ms`,
        );
      },
    },
    {
      name: AlertName.SEARCH_LATENCY_HIGH,
      ...warning,
      conditions: (o) => {
        const p95 = o.traffic?.searchLatencyP95Ms ?? null;
        return single(
          p95 !== null && p95 > thresholds.searchLatencyMs,
          `search p95 latency ${round(p95 ?? 0)} ms exceeds ${thresholds.searchLatencyMs} ms`,
        );
      },
    },
    {
      name: AlertName.HIGH_ERROR_RATE,
      ...warning,
      conditions: (o) => {
        const rate = o.traffic?.errorRatePercent ?? null;
        const enough = (o.traffic?.requests ?? 0) >= thresholds.errorRateMinRequests;
        return single(
          enough && rate !== null && rate > thresholds.errorRatePercent,
          `${round(rate ?? 0)} % of requests failed with 5xx (threshold ${thresholds.errorRatePercent} %)`,
        );
      },
    },
    {
      name: AlertName.HIGH_CPU_USAGE,
      ...warning,
      conditions: (o) =>
        single(
          o.system.cpu_percent > thresholds.cpuPercent,
          `CPU at ${round(o.system.cpu_percent)} % (threshold ${thresholds.cpuPercent} %)`,
        ),
    },
    {
      name: AlertName.HIGH_MEMORY_USAGE,
      ...warning,
      conditions: (o) =>
        single(
          o.system.memory_percent > thresholds.memoryPercent,
          `memory at ${round(o.system.memory_percent)} % (threshold ${thresholds.memoryPercent} %)`,
        ),
    },
    {
      name: AlertName.HIGH_DISK_USAGE,
      ...warning,
      conditions: (o) =>
        single(
          o.system.disk_percent > thresholds.diskPercent,
          `disk at ${round(o.system.disk_percent)} % (threshold ${thresholds.diskPercent} %)`,
        ),
    },
    {
      name: AlertName.INDEXING_BACKLOG_GROWING,
      ...warning,
      conditions: (o) => {
        const growth = o.queue?.backlogGrowth ?? null;
        return single(
          growth !== null && growth > 0,
          `indexing backlog grew by ${growth ?? 0} to ${o.queue?.backlog ?? 0} jobs`,
        );
      },
    },
    {
      name: AlertName.INDEXING_STALLED,
      ...warning,
      conditions: (o) =>
        (o.queue?.stuckJobs ?? []).map((job) => ({
          key: job.id,
          message: `indexing job ${job.id} of ${job.repository} made no progress for ${Math.round(job.idleMs / 1000)} s`,
          labels: { repository: job.repository },
        })),
    },
    {
      name: AlertName.REPOSITORY_SYNC_FAILING,
      ...warning,
      conditions: (o) =>
        (o.queue?.failingRepositories ?? []).map((failing) => ({
          key: failing.repository,
          message: `${failing.repository}: ${failing.consecutiveFailures} failed sync(s) in a row, last: ${failing.lastError}`,
          labels: { repository: failing.repository },
        })),
    },
    {
      // The Meilisearch check degrades on failed or stalled tasks; its message says which.
      name: AlertName.MEILISEARCH_TASKS_FAILING,
      ...warning,
      conditions: (o) =>
        o.components
          .filter((c) => c.kind === ComponentKind.KEYWORD_STORE && c.status === HealthStatus.DEGRADED)
          .map((c) => ({ key: c.name, message: `${c.name} task queue: ${c.message}` })),
    },
  ];
}
