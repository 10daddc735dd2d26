import type { ComponentHealth, ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';

/** What one probe found out about one component. `data` carries typed findings the monitor uses beyond the report. */
export interface ProbeResult<T = undefined> {
  status: HealthStatus;
  message: string;
  details?: Record<string, unknown>;
  data?: T;
}

/** One component's check. `probe` must honour `signal` (aborted at the per-check timeout). */
export interface ComponentCheck<T = undefined> {
  readonly name: string;
  readonly kind: ComponentKind;
  probe(signal: AbortSignal): Promise<ProbeResult<T>>;
}

export interface CheckRun<T> {
  component: ComponentHealth;
  data: T | undefined;
}

/** The message plus its cause's (fetch says only "fetch failed"; ECONNREFUSED is in the cause). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/**
 * Settles like `work(signal)`, or rejects with "no answer within N ms" (aborting `signal`) when that comes first:
 * a dependency that hangs must not stall a probe round.
 */
export async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

const elapsedMs = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/**
 * Runs one check under a timeout and turns every way it can fail (throw, reject, hang) into an unhealthy
 * component with a message saying what happened, so one bad dependency never stalls or breaks a round.
 */
export async function runCheck<T>(check: ComponentCheck<T>, timeoutMs: number): Promise<CheckRun<T>> {
  const started = performance.now();
  const base = { name: check.name, kind: check.kind };
  try {
    const result = await withTimeout((signal) => check.probe(signal), timeoutMs);
    return {
      component: {
        ...base,
        status: result.status,
        message: result.message,
        latency_ms: elapsedMs(started),
        checked_at: new Date().toISOString(),
        ...(result.details ? { details: result.details } : {}),
      },
      data: result.data,
    };
  } catch (error) {
    return {
      component: {
        ...base,
        status: 'unhealthy',
        message: describeError(error),
        latency_ms: elapsedMs(started),
        checked_at: new Date().toISOString(),
      },
      data: undefined,
    };
  }
}
