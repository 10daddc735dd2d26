/**
 * `GET /api/v1/health` on the gateway's own (API) port, as the production guide documents it: the health service's
 * report when it answers (HEALTH_SERVICE_URL), otherwise a report of the gateway's own checks in the same shape,
 * so a client or load balancer pointed at the API port always gets the guide's document.
 */
import { statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { Router } from 'express';
import {
  type ComponentHealth,
  ComponentKind,
  type HealthReport,
  HealthStatus,
  healthReportSchema,
  httpStatusForHealth,
} from '../../../../core/src/domain/health-report.js';
import {
  checkReadiness,
  type ReadinessCheck,
  type ReadinessCheckResult,
} from '../../../../core/src/http/health-probes.js';

export const GATEWAY_HEALTH_PATH = '/api/v1/health';

export interface GatewayHealthOptions {
  readiness: readonly ReadinessCheck[];
  /** Base URL of the health service; its report is preferred while it answers. */
  healthServiceUrl?: string;
  timeoutMs?: number;
}

const KIND_BY_CHECK: Array<[RegExp, ComponentKind]> = [
  [/^postgres$/, ComponentKind.POSTGRES],
  [/^keyword-index:/, ComponentKind.KEYWORD_STORE],
  [/^(vector-index:|chroma)/, ComponentKind.VECTOR_STORE],
];

/** The guide's report from the gateway's readiness results (pure): a failed required check is unhealthy. */
export function buildOwnHealthReport(
  results: readonly ReadinessCheckResult[],
  system: HealthReport['system_metrics'],
  now: Date,
): HealthReport {
  const checkedAt = now.toISOString();
  const components: ComponentHealth[] = [
    {
      name: 'search-gateway',
      kind: ComponentKind.SEARCH_GATEWAY,
      status: HealthStatus.HEALTHY,
      message: 'serving requests (the health service is not reachable: this report covers the gateway only)',
      latency_ms: 0,
      checked_at: checkedAt,
    },
    ...results.map((result) => ({
      name: result.name,
      kind: KIND_BY_CHECK.find(([pattern]) => pattern.test(result.name))?.[1] ?? ComponentKind.MONITOR,
      status: result.ok ? HealthStatus.HEALTHY : result.required ? HealthStatus.UNHEALTHY : HealthStatus.DEGRADED,
      message: result.ok ? 'ok' : (result.message ?? 'check failed'),
      latency_ms: result.latency_ms,
      checked_at: checkedAt,
    })),
  ];
  const status = components.some((component) => component.status === HealthStatus.UNHEALTHY)
    ? HealthStatus.UNHEALTHY
    : components.some((component) => component.status === HealthStatus.DEGRADED)
      ? HealthStatus.DEGRADED
      : HealthStatus.HEALTHY;
  return { status, timestamp: checkedAt, system_metrics: system, components, alerts: [] };
}

const clampPercent = (value: number) => Math.min(100, Math.max(0, Math.round(value * 10) / 10));

async function systemMetrics(): Promise<HealthReport['system_metrics']> {
  const disk = await statfs('/').catch(() => undefined);
  return {
    cpu_percent: clampPercent(((loadavg()[0] ?? 0) / Math.max(1, cpus().length)) * 100),
    memory_percent: clampPercent((1 - freemem() / totalmem()) * 100),
    disk_percent: disk ? clampPercent((1 - disk.bavail / disk.blocks) * 100) : 0,
  };
}

async function fromHealthService(url: string, timeoutMs: number): Promise<HealthReport | undefined> {
  try {
    const response = await fetch(new URL(GATEWAY_HEALTH_PATH, url), { signal: AbortSignal.timeout(timeoutMs) });
    const parsed = healthReportSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // unreachable or not a report: answer from our own checks
  }
}

export function createGatewayHealthRouter(options: GatewayHealthOptions): Router {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const router = Router();
  router.get(GATEWAY_HEALTH_PATH, async (_req, res) => {
    const report =
      (options.healthServiceUrl && (await fromHealthService(options.healthServiceUrl, timeoutMs))) ||
      buildOwnHealthReport(
        (await checkReadiness(options.readiness, timeoutMs)).checks,
        await systemMetrics(),
        new Date(),
      );
    res.status(httpStatusForHealth(report.status)).json(report);
  });
  return router;
}
