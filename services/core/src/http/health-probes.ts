/**
 * Kubernetes probes every service mounts: `GET /api/v1/health/live` (the process serves HTTP) and
 * `GET /api/v1/health/ready` (the dependencies it needs answer). A service passes its readiness checks; a check
 * marked `required: false` is reported but does not fail readiness (e.g. the gateway still serves keyword search
 * without the vector store), so a degraded dependency does not take every replica out of the Service at once.
 */
import { Router } from 'express';
import { LIVENESS_PATH, livenessHandler } from './service-app.js';

export const HEALTH_LIVE_PATH = LIVENESS_PATH;
export const HEALTH_READY_PATH = '/api/v1/health/ready';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (or hangs past the timeout) when it does not. */
  check(signal: AbortSignal): Promise<unknown>;
  /** Default true: a failing required check makes the service not ready (HTTP 503). */
  required?: boolean;
}

export interface ReadinessCheckResult {
  name: string;
  ok: boolean;
  required: boolean;
  latency_ms: number;
  message?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: ReadinessCheckResult[];
}

export interface HealthProbesOptions {
  readiness: readonly ReadinessCheck[];
  /** Per-check timeout; keep it below the probe's timeoutSeconds. Default 2000 ms. */
  timeoutMs?: number;
}

async function runReadinessCheck(check: ReadinessCheck, timeoutMs: number): Promise<ReadinessCheckResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const required = check.required ?? true;
  const timedOut = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true });
  });
  try {
    await Promise.race([check.check(signal), timedOut]);
    return { name: check.name, ok: true, required, latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      name: check.name,
      ok: false,
      required,
      latency_ms: Math.round(performance.now() - started),
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Runs every readiness check concurrently. */
export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = 2000): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((check) => runReadinessCheck(check, timeoutMs)));
  const ready = results.every((result) => result.ok || !result.required);
  return { status: ready ? 'ready' : 'not_ready', checks: results };
}

export function createHealthProbesRouter(options: HealthProbesOptions): Router {
  const router = Router();
  router.get(HEALTH_LIVE_PATH, livenessHandler());
  router.get(HEALTH_READY_PATH, async (_req, res) => {
    const report = await checkReadiness(options.readiness, options.timeoutMs);
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  return router;
}
