import type { Express } from 'express';
import { httpStatusForHealth, HealthStatus, type HealthReport } from '../../core/src/domain/health-report.js';
import { createHealthProbesRouter } from '../../core/src/http/health-probes.js';
import { createServiceApp, type HttpConfig } from '../../core/src/http/service-app.js';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';

export const HEALTH_REPORT_PATH = '/api/v1/health';

export interface HealthAppDeps {
  config: HttpConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The last completed probe round (HealthMonitor.latest). */
  latestReport: () => HealthReport | undefined;
  now?: () => Date;
}

/** The report before the first round has completed: unhealthy, because nothing is known yet. */
function pendingReport(now: Date): HealthReport {
  return {
    status: HealthStatus.UNHEALTHY,
    timestamp: now.toISOString(),
    system_metrics: { cpu_percent: 0, memory_percent: 0, disk_percent: 0 },
    components: [
      {
        name: 'health-monitor',
        kind: 'monitor',
        status: HealthStatus.UNHEALTHY,
        message: 'no probe round has completed yet',
        latency_ms: null,
        checked_at: now.toISOString(),
      },
    ],
    alerts: [],
  };
}

/** The health service's HTTP app, without listen: the report, the probes and /api/v1/metrics. */
export function createApp(deps: HealthAppDeps): Express {
  const now = deps.now ?? (() => new Date());
  return createServiceApp({
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    routes: (app) => {
      app.get(HEALTH_REPORT_PATH, (_req, res) => {
        const report = deps.latestReport() ?? pendingReport(now());
        res.status(httpStatusForHealth(report.status)).json(report);
      });
      // Ready once a round has completed: the report then says something true.
      app.use(
        createHealthProbesRouter({
          readiness: [
            {
              name: 'first-probe-round',
              check: () =>
                deps.latestReport() === undefined
                  ? Promise.reject(new Error('no probe round has completed yet'))
                  : Promise.resolve(),
            },
          ],
        }),
      );
    },
  });
}
