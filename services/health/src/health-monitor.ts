import { deriveOverallStatus } from './evaluation/overall-status.js';
import {
  ComponentKind,
  HealthStatus,
  type ComponentHealth,
  type HealthReport,
} from '../../core/src/domain/health-report.js';
import type { Logger } from '../../core/src/logging.js';
import { Metrics } from '../../core/src/metric-names.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';
import type { IndexingQueueStats } from '../../core/src/ports/indexing-queue-stats.js';
import { describeError, runCheck, withTimeout, type ComponentCheck } from './checks/component-check.js';
import type { MeilisearchFindings } from './checks/meilisearch.check.js';
import { ServiceInstanceCheck, type ServiceInstance } from './checks/service-instance.check.js';
import type { InstanceDiscovery } from './discovery/instance-discovery.js';
import { evaluateAlerts, toReportAlert, type AlertRule, type AlertState } from './evaluation/alert-evaluator.js';
import { backlogGrowth, recordBacklog, type BacklogSample } from './evaluation/backlog-trend.js';
import type { HealthObservations, QueueSummary, TrafficSummary } from './evaluation/health-observations.js';
import type { MetricsSource } from './metrics-scrape/metrics-source.js';
import { parsePrometheusText, type Sample } from './metrics-scrape/prometheus-text.js';
import { summarizeTraffic, type InstanceSamples } from './metrics-scrape/traffic-summary.js';
import type { SystemMetricsSampler } from './system/system-metrics.sampler.js';

export interface HealthMonitorOptions {
  /** Checks that exist for the whole life of the process (Postgres, Chroma, Meilisearch). */
  checks: readonly ComponentCheck<unknown>[];
  queueCheck?: ComponentCheck<IndexingQueueStats>;
  discovery?: InstanceDiscovery;
  /** Gateway metrics to derive latency and error rates from; default: each discovered gateway's /api/v1/metrics. */
  trafficSources: (instances: readonly ServiceInstance[]) => MetricsSource[];
  sampler: SystemMetricsSampler;
  rules: readonly AlertRule<HealthObservations>[];
  checkTimeoutMs: number;
  backlogWindowMs: number;
  logger: Logger;
  metrics: ServiceMetrics;
  now?: () => number;
}

const STATUS_VALUE: Record<HealthStatus, number> = { healthy: 1, degraded: 0.5, unhealthy: 0 };

/**
 * Runs probe rounds: every check concurrently under its timeout, then the pure status and alert rules. The HTTP
 * endpoint serves the last completed round, so a slow dependency never slows `GET /api/v1/health`.
 */
export class HealthMonitor {
  private report: HealthReport | undefined;
  private alertState: AlertState = new Map();
  private backlogHistory: BacklogSample[] = [];
  private previousTraffic: InstanceSamples | null = null;
  private previousStatuses = new Map<string, HealthStatus>();
  private readonly unreadableSources = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<HealthReport> | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly gauges;

  constructor(private readonly options: HealthMonitorOptions) {
    this.now = options.now ?? Date.now;
    const { metrics } = options;
    this.gauges = {
      status: metrics.gauge(Metrics.healthStatus),
      componentUp: metrics.gauge(Metrics.componentUp),
      componentDuration: metrics.gauge(Metrics.componentCheckDuration),
      cpu: metrics.gauge(Metrics.systemCpuPercent),
      memory: metrics.gauge(Metrics.systemMemoryPercent),
      disk: metrics.gauge(Metrics.systemDiskPercent),
      connections: metrics.gauge(Metrics.postgresConnections),
      meiliDocuments: metrics.gauge(Metrics.meilisearchDocuments),
      meiliPending: metrics.gauge(Metrics.meilisearchPendingTasks),
      meiliOldestPending: metrics.gauge(Metrics.meilisearchOldestPendingTaskAge),
      meiliFailed: metrics.gauge(Metrics.meilisearchFailedTasks),
      backlog: metrics.gauge(Metrics.indexingBacklog),
      stuck: metrics.gauge(Metrics.indexingStuckJobs),
      lastSync: metrics.gauge(Metrics.repositoryLastSuccessfulSync),
      syncFailures: metrics.gauge(Metrics.repositoryConsecutiveSyncFailures),
      alert: metrics.gauge(Metrics.alertActive),
    };
  }

  /** The report of the last completed round, if any. */
  latest(): HealthReport | undefined {
    return this.report;
  }

  /** Runs rounds back to back, `intervalMs` apart (never overlapping), until stop(). */
  start(intervalMs: number): void {
    const loop = async () => {
      await this.runRound().catch((error: unknown) => this.options.logger.error('health round failed', { error }));
      if (!this.stopped) this.timer = setTimeout(() => void loop(), intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One round; concurrent callers share the round in flight. */
  runRound(): Promise<HealthReport> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<HealthReport> {
    const { checkTimeoutMs, logger } = this.options;
    const discovered = await this.discover();
    const instanceChecks = discovered.instances.map((instance) => new ServiceInstanceCheck(instance));

    const [staticRuns, queueRun, instanceRuns, system, traffic] = await Promise.all([
      Promise.all(this.options.checks.map((check) => runCheck(check, checkTimeoutMs))),
      this.options.queueCheck ? runCheck(this.options.queueCheck, checkTimeoutMs) : undefined,
      Promise.all(instanceChecks.map((check) => runCheck(check, checkTimeoutMs))),
      this.options.sampler.sample(),
      this.readTraffic(discovered.instances),
    ]);
    const now = this.now();
    const components: ComponentHealth[] = [
      ...staticRuns.map((run) => run.component),
      ...(queueRun ? [queueRun.component] : []),
      ...instanceRuns.map((run) => run.component).sort((a, b) => a.name.localeCompare(b.name)),
      ...(discovered.failure ? [discovered.failure] : []),
    ];
    const queue = this.summarizeQueue(queueRun?.data, now);
    const observations: HealthObservations = { system, components, traffic, queue };

    const verdict = deriveOverallStatus(components);
    const evaluation = evaluateAlerts(this.options.rules, observations, this.alertState, now);
    this.alertState = evaluation.state;

    for (const alert of evaluation.fired) {
      logger.log(alert.severity === 'critical' ? 'error' : 'warn', `alert firing: ${alert.name}`, {
        alertname: alert.name,
        severity: alert.severity,
        alert_message: alert.message,
        since: new Date(alert.activeSince).toISOString(),
      });
    }
    for (const alert of evaluation.resolved) {
      logger.info(`alert resolved: ${alert.name}`, { alertname: alert.name, severity: alert.severity });
    }
    for (const component of components) {
      const before = this.previousStatuses.get(component.name);
      if (before !== undefined && before !== component.status) {
        logger.info(`component ${component.name} is ${component.status} (was ${before})`, {
          component: component.name,
          status: component.status,
          reason: component.message,
        });
      }
    }
    this.previousStatuses = new Map(components.map((c) => [c.name, c.status]));

    const report: HealthReport = {
      status: verdict.status,
      timestamp: new Date(now).toISOString(),
      system_metrics: system,
      components,
      alerts: evaluation.firing.map(toReportAlert),
    };
    this.export(report, components, queueRun?.data, staticRuns);
    this.report = report;
    return report;
  }

  private async discover(): Promise<{ instances: ServiceInstance[]; failure?: ComponentHealth }> {
    const { discovery, checkTimeoutMs } = this.options;
    if (!discovery) return { instances: [] };
    const started = performance.now();
    try {
      return { instances: await withTimeout((signal) => discovery.discover(signal), checkTimeoutMs) };
    } catch (error) {
      return {
        instances: [],
        failure: {
          name: 'instance-discovery',
          kind: ComponentKind.MONITOR,
          status: HealthStatus.DEGRADED,
          message: `cannot list search-gateway/indexer instances: ${describeError(error)}`,
          latency_ms: Math.round(performance.now() - started),
          checked_at: new Date().toISOString(),
        },
      };
    }
  }

  private async readTraffic(instances: readonly ServiceInstance[]): Promise<TrafficSummary | null> {
    const sources = this.options.trafficSources(instances);
    const scraped = await Promise.all(
      sources.map(async (source): Promise<[string, Sample[]] | undefined> => {
        try {
          const text = await withTimeout((signal) => source.read(signal), this.options.checkTimeoutMs);
          const samples = parsePrometheusText(text);
          this.unreadableSources.delete(source.id);
          return [source.id, samples];
        } catch (error) {
          // Once per outage: a gateway that stays down is already reported by its instance check.
          if (!this.unreadableSources.has(source.id)) {
            this.options.logger.warn('gateway metrics unreadable: traffic alerts skip it', {
              source: source.id,
              error: describeError(error),
            });
          }
          this.unreadableSources.add(source.id);
          return undefined;
        }
      }),
    );
    const current: InstanceSamples = new Map(scraped.filter((entry) => entry !== undefined));
    if (current.size === 0) return null;
    const summary = summarizeTraffic(this.previousTraffic, current);
    this.previousTraffic = current;
    return summary;
  }

  private summarizeQueue(stats: IndexingQueueStats | undefined, now: number): QueueSummary | null {
    if (!stats) return null;
    this.backlogHistory = recordBacklog(
      this.backlogHistory,
      { at: now, backlog: stats.queued },
      this.options.backlogWindowMs,
    );
    return {
      backlog: stats.queued,
      backlogGrowth: backlogGrowth(this.backlogHistory),
      stuckJobs: stats.stuckJobs,
      failingRepositories: stats.repositories
        .filter((repository) => repository.consecutiveFailures > 0)
        .map((repository) => ({
          repository: repository.repository,
          consecutiveFailures: repository.consecutiveFailures,
          lastError: repository.lastError ?? 'unknown error',
        })),
    };
  }

  /** Mirrors the round into Prometheus gauges, so Prometheus alerts and dashboards see what the report says. */
  private export(
    report: HealthReport,
    components: readonly ComponentHealth[],
    queue: IndexingQueueStats | undefined,
    staticRuns: readonly { data: unknown }[],
  ): void {
    const g = this.gauges;
    for (const status of Object.values(HealthStatus)) g.status.set({ status }, report.status === status ? 1 : 0);
    g.componentUp.reset();
    g.componentDuration.reset();
    for (const component of components) {
      g.componentUp.set({ component: component.name }, STATUS_VALUE[component.status]);
      if (component.latency_ms !== null)
        g.componentDuration.set({ component: component.name }, component.latency_ms / 1000);
    }
    g.cpu.set(report.system_metrics.cpu_percent);
    g.memory.set(report.system_metrics.memory_percent);
    g.disk.set(report.system_metrics.disk_percent);
    g.connections.reset();
    for (const run of staticRuns) {
      const byState = (run.data as { connectionsByState?: Record<string, number> } | undefined)?.connectionsByState;
      for (const [state, count] of Object.entries(byState ?? {})) g.connections.set({ state }, count);
      const meilisearch = (run.data as { meilisearch?: MeilisearchFindings } | undefined)?.meilisearch;
      if (meilisearch) {
        g.meiliDocuments.set(meilisearch.documents ?? 0);
        g.meiliPending.set(meilisearch.pendingTasks);
        g.meiliOldestPending.set(meilisearch.oldestPendingTaskAgeSeconds);
        g.meiliFailed.set(meilisearch.failedTasks);
      }
    }
    if (queue) {
      g.backlog.set(queue.queued);
      g.stuck.set(queue.stuckJobs.length);
      g.lastSync.reset();
      g.syncFailures.reset();
      for (const repository of queue.repositories) {
        g.syncFailures.set({ repository: repository.repository }, repository.consecutiveFailures);
        if (repository.lastSuccessAt)
          g.lastSync.set({ repository: repository.repository }, repository.lastSuccessAt.getTime() / 1000);
      }
    }
    g.alert.reset();
    for (const alert of report.alerts) g.alert.set({ alertname: alert.name, severity: alert.severity }, 1);
  }
}
