import type { ComponentKind } from '../../../core/src/domain/health-report.js';
import { HealthStatus } from '../../../core/src/domain/health-report.js';
import { HEALTH_LIVE_PATH, HEALTH_READY_PATH } from '../../../core/src/http/health-probes.js';
import type { ComponentCheck, ProbeResult } from './component-check.js';

export type ServiceKind = typeof ComponentKind.SEARCH_GATEWAY | typeof ComponentKind.INDEXER;

export interface ServiceInstance {
  kind: ServiceKind;
  /** Base URL, e.g. http://10.0.0.7:3002 */
  url: string;
  /** Pod name or host:port, for the component name. */
  id: string;
}

async function get(url: string, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the message.
  }
  return { status: response.status, body };
}

/** The failing dependencies a readiness body names, in the shape `createHealthProbesRouter` answers. */
function failingChecks(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'checks' in body && Array.isArray(body.checks)) {
    const failing = (body.checks as { name?: unknown; ok?: unknown; message?: unknown }[])
      .filter((check) => check.ok === false)
      .map((check) => `${String(check.name)}: ${String(check.message)}`);
    if (failing.length > 0) return failing.join('; ');
  }
  return undefined;
}

const excerpt = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 200);

/** One search-gateway or indexer instance: its own liveness, then readiness probe. */
export class ServiceInstanceCheck implements ComponentCheck {
  readonly name: string;
  readonly kind: ServiceKind;

  constructor(private readonly instance: ServiceInstance) {
    this.name = `${instance.kind}/${instance.id}`;
    this.kind = instance.kind;
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    const base = this.instance.url.replace(/\/+$/, '');
    const details = { url: base };
    const live = await get(`${base}${HEALTH_LIVE_PATH}`, signal);
    if (live.status !== 200) {
      return { status: HealthStatus.UNHEALTHY, message: `liveness answered HTTP ${live.status}`, details };
    }
    const ready = await get(`${base}${HEALTH_READY_PATH}`, signal);
    if (ready.status !== 200) {
      return {
        status: HealthStatus.UNHEALTHY,
        message: `alive but not ready (HTTP ${ready.status}): ${failingChecks(ready.body) ?? excerpt(ready.body)}`,
        details,
      };
    }
    // Ready with an optional dependency failing: it serves, with less (e.g. keyword-only search).
    const optionalFailing = failingChecks(ready.body);
    if (optionalFailing !== undefined) {
      return { status: HealthStatus.DEGRADED, message: `ready without ${optionalFailing}`, details };
    }
    return { status: HealthStatus.HEALTHY, message: 'live and ready', details };
  }
}
