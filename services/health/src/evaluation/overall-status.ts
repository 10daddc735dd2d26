import { ComponentKind, HealthStatus, type ComponentHealth } from '../../../core/src/domain/health-report.js';

/**
 * The status rules of the health report, one place, pure. The overall status is the worst of what each rule
 * concludes; a rule names the reason so the report and the logs can say why.
 *
 * | component (kind)              | unhealthy means                         | overall            |
 * |-------------------------------|-----------------------------------------|--------------------|
 * | postgres                      | source of truth unreachable             | unhealthy          |
 * | keyword-store (Meilisearch)   | keyword leg fails, vector still answers | degraded           |
 * | vector-store (Chroma)         | semantic leg fails, keyword still works | degraded           |
 * | keyword-store AND vector-store| no search leg can answer                | unhealthy          |
 * | search-gateway, every instance| nobody serves search                    | unhealthy          |
 * | search-gateway, some instances| less capacity                           | degraded           |
 * | indexer, any or all instances | index goes stale, search still works    | degraded           |
 * | indexing-queue                | stuck jobs, failing syncs               | degraded           |
 * | monitor (no probe round yet)  | nothing known yet                       | unhealthy          |
 * | any component degraded        |                                         | degraded           |
 *
 * No components at all of a kind means that kind is not deployed (e.g. no Meilisearch configured): no rule fires.
 */
export interface StatusVerdict {
  status: HealthStatus;
  reasons: string[];
}

const SEVERITY_ORDER: Record<HealthStatus, number> = {
  [HealthStatus.HEALTHY]: 0,
  [HealthStatus.DEGRADED]: 1,
  [HealthStatus.UNHEALTHY]: 2,
};

export function worstStatus(statuses: readonly HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>(
    (worst, status) => (SEVERITY_ORDER[status] > SEVERITY_ORDER[worst] ? status : worst),
    HealthStatus.HEALTHY,
  );
}

export function deriveOverallStatus(components: readonly ComponentHealth[]): StatusVerdict {
  const verdicts: { status: HealthStatus; reason: string }[] = [];
  const ofKind = (kind: ComponentKind) => components.filter((component) => component.kind === kind);
  const down = (list: readonly ComponentHealth[]) => list.filter((c) => c.status === HealthStatus.UNHEALTHY);

  for (const component of down(ofKind(ComponentKind.POSTGRES))) {
    verdicts.push({ status: HealthStatus.UNHEALTHY, reason: `${component.name} is down: ${component.message}` });
  }
  for (const component of down(ofKind(ComponentKind.MONITOR))) {
    verdicts.push({ status: HealthStatus.UNHEALTHY, reason: component.message });
  }

  const keyword = ofKind(ComponentKind.KEYWORD_STORE);
  const vector = ofKind(ComponentKind.VECTOR_STORE);
  const keywordDown = keyword.length > 0 && down(keyword).length === keyword.length;
  const vectorDown = vector.length > 0 && down(vector).length === vector.length;
  if (keywordDown && vectorDown) {
    verdicts.push({ status: HealthStatus.UNHEALTHY, reason: 'both the keyword and the vector store are down' });
  } else if (keywordDown) {
    verdicts.push({ status: HealthStatus.DEGRADED, reason: 'keyword store down: search runs on vectors only' });
  } else if (vectorDown) {
    verdicts.push({ status: HealthStatus.DEGRADED, reason: 'vector store down: search runs on keywords only' });
  }

  const gateways = ofKind(ComponentKind.SEARCH_GATEWAY);
  const gatewaysDown = down(gateways).length;
  if (gateways.length > 0 && gatewaysDown === gateways.length) {
    verdicts.push({ status: HealthStatus.UNHEALTHY, reason: 'no search-gateway instance is up' });
  } else if (gatewaysDown > 0) {
    verdicts.push({
      status: HealthStatus.DEGRADED,
      reason: `${gatewaysDown} of ${gateways.length} search-gateway instances down`,
    });
  }

  const indexersDown = down(ofKind(ComponentKind.INDEXER)).length;
  if (indexersDown > 0) {
    verdicts.push({
      status: HealthStatus.DEGRADED,
      reason: `${indexersDown} indexer instance(s) down: index may go stale`,
    });
  }
  for (const component of down(ofKind(ComponentKind.INDEXING_QUEUE))) {
    verdicts.push({ status: HealthStatus.DEGRADED, reason: `${component.name}: ${component.message}` });
  }

  for (const component of components) {
    if (component.status === HealthStatus.DEGRADED) {
      verdicts.push({ status: HealthStatus.DEGRADED, reason: `${component.name} degraded: ${component.message}` });
    }
  }

  return { status: worstStatus(verdicts.map((v) => v.status)), reasons: verdicts.map((v) => v.reason) };
}
