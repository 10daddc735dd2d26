/**
 * Status as a pure function of what was observed: component readiness, conditions, phase, reindex outcome.
 * Conditions follow the Kubernetes convention: `lastTransitionTime` changes only when the status flips.
 */
import { ConditionReason, ConditionStatus, ConditionType, Phase, ReindexResult } from '../api/v1alpha1/conditions.js';
import type {
  BackupStatus,
  ComponentStatus,
  Condition,
  KeywordEngineStatus,
  LastReindex,
  MigrationStatus,
  MyRAGDBStatus,
} from '../api/v1alpha1/myragdb.types.js';
import type { KubeObject } from '../kube/kube-object.js';
import { formatTime } from '../kube/micro-time.js';
import { stableHash } from '../specs/hash.js';

export interface Problem {
  reason: ConditionReason;
  message: string;
  /**
   * Retrying unchanged cannot help (bad spec, name conflict, failed migration, stalled rollout): someone has to change
   * something. Sets `Stalled=True`, which GitOps tools report as a failure rather than as progress.
   */
  permanent?: boolean;
}

export function setCondition(
  conditions: Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition[] {
  const previous = conditions.find((condition) => condition.type === next.type);
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : formatTime(now);
  const updated: Condition = { ...next, lastTransitionTime };
  return previous
    ? conditions.map((condition) => (condition.type === next.type ? updated : condition))
    : [...conditions, updated];
}

export function findCondition(status: MyRAGDBStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((condition) => condition.type === type);
}

interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  observedGeneration?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

type Workload = KubeObject & { spec?: { replicas?: number }; status?: WorkloadStatus };

/** A Deployment is ready when its current generation is fully rolled out and available. */
export function deploymentStatus(deployment: Workload | undefined): ComponentStatus {
  if (!deployment) return { ready: false, message: 'not created yet' };
  const status = deployment.status ?? {};
  const desired = deployment.spec?.replicas ?? 1;
  const current = (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0);
  const available = status.availableReplicas ?? 0;
  const ready = current && (status.updatedReplicas ?? 0) >= desired && available >= desired;
  const stalled = status.conditions?.find(
    (condition) => condition.type === 'Progressing' && condition.reason === 'ProgressDeadlineExceeded',
  );
  return {
    ready,
    replicas: status.replicas ?? 0,
    readyReplicas: status.readyReplicas ?? 0,
    message: stalled
      ? `rollout stalled: ${stalled.message ?? 'progress deadline exceeded'}`
      : `${available}/${desired} available`,
  };
}

export function statefulSetStatus(statefulSet: Workload | undefined): ComponentStatus {
  if (!statefulSet) return { ready: false, message: 'not created yet' };
  const status = statefulSet.status ?? {};
  const desired = statefulSet.spec?.replicas ?? 1;
  const current = (status.observedGeneration ?? 0) >= (statefulSet.metadata.generation ?? 0);
  const readyReplicas = status.readyReplicas ?? 0;
  return {
    ready: current && readyReplicas >= desired && (status.updatedReplicas ?? desired) >= desired,
    replicas: status.replicas ?? 0,
    readyReplicas,
    message: `${readyReplicas}/${desired} ready`,
  };
}

/** Deployments whose rollout hit its progress deadline (an image that never becomes ready): a Degraded reason. */
export function stalledRollouts(deployments: Iterable<Workload>): Problem[] {
  const problems: Problem[] = [];
  for (const deployment of deployments) {
    const stalled = deployment.status?.conditions?.find(
      (condition) => condition.type === 'Progressing' && condition.reason === 'ProgressDeadlineExceeded',
    );
    if (stalled) {
      problems.push({
        reason: ConditionReason.ComponentFailed,
        message: `Deployment ${deployment.metadata.name}: rollout stalled (${stalled.message ?? 'progress deadline exceeded'})`,
        permanent: true,
      });
    }
  }
  return problems;
}

type JobObject = KubeObject & {
  status?: {
    startTime?: string;
    completionTime?: string;
    succeeded?: number;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
};

/** Outcome of a reindex Job as `status.lastReindex`. */
export function reindexOutcome(
  requestId: string,
  job: JobObject | undefined,
  previous: LastReindex | undefined,
): LastReindex {
  if (!job) {
    // Already finished and since removed (TTL): keep what was recorded.
    return previous?.requestId === requestId ? previous : { requestId, result: ReindexResult.Running };
  }
  const conditions = job.status?.conditions ?? [];
  const finished = (type: string) =>
    conditions.find((condition) => condition.type === type && condition.status === 'True');
  const complete = finished('Complete');
  const failed = finished('Failed');
  const result = complete ? ReindexResult.Succeeded : failed ? ReindexResult.Failed : ReindexResult.Running;
  const completionTime = job.status?.completionTime ?? complete?.lastTransitionTime ?? failed?.lastTransitionTime;
  return {
    requestId,
    job: job.metadata.name,
    ...(job.status?.startTime ? { startTime: job.status.startTime } : {}),
    ...(result !== ReindexResult.Running && completionTime ? { completionTime } : {}),
    result,
  };
}

export interface StatusInput {
  generation: number;
  previous: MyRAGDBStatus | undefined;
  now: Date;
  paused: boolean;
  /** Stores and services, by component name. External stores are reported ready with `external: true`. */
  stores: Record<string, ComponentStatus>;
  services: Record<string, ComponentStatus>;
  problems: Problem[];
  lastReindex?: LastReindex;
  gatewayReplicas?: number;
  selector?: string;
  version?: string;
  gatewayEndpoint?: string;
  /** What else the resource waits for before it is Ready (e.g. a migration before the services roll). */
  waiting?: string[];
  backup?: BackupStatus;
  migration?: MigrationStatus;
  keywordEngine?: KeywordEngineStatus;
}

function notReady(components: Record<string, ComponentStatus>): string[] {
  return Object.entries(components)
    .filter(([, component]) => !component.ready)
    .map(([name, component]) => `${name} (${component.message ?? 'not ready'})`);
}

export function computeStatus(input: StatusInput): MyRAGDBStatus {
  const { generation, now } = input;
  let conditions = input.previous?.conditions ?? [];
  const set = (type: ConditionType, status: ConditionStatus, reason: ConditionReason, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: generation }, now);
  };
  const storesWaiting = notReady(input.stores);
  const servicesWaiting = notReady(input.services);
  const storesReady = storesWaiting.length === 0;
  const servicesReady = servicesWaiting.length === 0;
  const degraded = input.problems.length > 0;
  const otherWaiting = input.waiting ?? [];
  const ready = storesReady && servicesReady && otherWaiting.length === 0 && !degraded && !input.paused;

  set(
    ConditionType.StoresReady,
    storesReady ? ConditionStatus.True : ConditionStatus.False,
    storesReady ? ConditionReason.StoresReady : ConditionReason.StoresNotReady,
    storesReady ? 'all stores are ready' : `waiting for ${storesWaiting.join(', ')}`,
  );
  set(
    ConditionType.ServicesReady,
    servicesReady ? ConditionStatus.True : ConditionStatus.False,
    servicesReady ? ConditionReason.ServicesReady : ConditionReason.ServicesNotReady,
    servicesReady ? 'all services are ready' : `waiting for ${servicesWaiting.join(', ')}`,
  );
  set(
    ConditionType.Degraded,
    degraded ? ConditionStatus.True : ConditionStatus.False,
    degraded ? input.problems[0]!.reason : ConditionReason.AsExpected,
    degraded ? input.problems.map((problem) => problem.message).join('; ') : 'no problems found',
  );
  set(
    ConditionType.ReconciliationPaused,
    input.paused ? ConditionStatus.True : ConditionStatus.False,
    input.paused ? ConditionReason.Paused : ConditionReason.NotPaused,
    input.paused ? 'spec.paused is true: changes are not applied' : 'changes are applied',
  );
  const blocking = input.problems.filter((problem) => problem.permanent);
  const stalled = blocking.length > 0 && !input.paused;
  set(
    ConditionType.Stalled,
    stalled ? ConditionStatus.True : ConditionStatus.False,
    stalled ? blocking[0]!.reason : ConditionReason.NotStalled,
    stalled ? blocking.map((problem) => problem.message).join('; ') : 'nothing blocks progress',
  );
  const reconciling = !ready && !stalled && !input.paused;
  set(
    ConditionType.Reconciling,
    reconciling ? ConditionStatus.True : ConditionStatus.False,
    reconciling
      ? ConditionReason.Reconciling
      : input.paused
        ? ConditionReason.Paused
        : ConditionReason.ReconcileComplete,
    reconciling
      ? `converging to generation ${generation}`
      : stalled
        ? 'stalled: see the Stalled condition'
        : input.paused
          ? 'paused'
          : 'the current spec is reconciled',
  );
  set(
    ConditionType.Progressing,
    ready || input.paused ? ConditionStatus.False : ConditionStatus.True,
    ready || input.paused ? ConditionReason.ReconcileComplete : ConditionReason.Reconciling,
    ready ? 'all components are up to date' : input.paused ? 'paused' : 'converging to the spec',
  );
  set(
    ConditionType.Ready,
    ready ? ConditionStatus.True : ConditionStatus.False,
    ready
      ? ConditionReason.AllComponentsReady
      : input.paused
        ? ConditionReason.Paused
        : ConditionReason.ComponentsNotReady,
    ready
      ? 'all stores and services are ready'
      : [
          ...(degraded ? input.problems.map((problem) => problem.message) : []),
          ...storesWaiting,
          ...servicesWaiting,
          ...otherWaiting,
        ].join('; ') || 'paused',
  );
  const reindex = input.lastReindex;
  if (reindex?.result) {
    const outcome = {
      [ReindexResult.Running]: [ConditionStatus.Unknown, ConditionReason.ReindexRunning],
      [ReindexResult.Succeeded]: [ConditionStatus.True, ConditionReason.ReindexSucceeded],
      [ReindexResult.Failed]: [ConditionStatus.False, ConditionReason.ReindexFailed],
    } as const;
    const [status, reason] = outcome[reindex.result];
    set(
      ConditionType.ReindexSucceeded,
      status,
      reason,
      `reindex ${reindex.requestId ?? ''} ${reindex.result.toLowerCase()}`.trim(),
    );
  }

  const phase = input.paused ? Phase.Paused : degraded ? Phase.Degraded : ready ? Phase.Ready : Phase.Provisioning;

  return {
    observedGeneration: generation,
    phase,
    conditions,
    components: { ...input.stores, ...input.services },
    ...(input.gatewayReplicas === undefined ? {} : { gatewayReplicas: input.gatewayReplicas }),
    ...(input.selector ? { selector: input.selector } : {}),
    ...(input.version ? { version: input.version } : {}),
    ...(input.gatewayEndpoint ? { endpoints: { gateway: input.gatewayEndpoint } } : {}),
    ...(input.backup ? { backup: input.backup } : {}),
    ...(input.migration ? { migration: input.migration } : {}),
    // Kept when this reconcile could not work it out (an invalid spec): it says which engine holds the documents.
    ...(input.keywordEngine
      ? { keywordEngine: input.keywordEngine }
      : input.previous?.keywordEngine
        ? { keywordEngine: input.previous.keywordEngine }
        : {}),
    ...(reindex
      ? { lastReindex: reindex }
      : input.previous?.lastReindex
        ? { lastReindex: input.previous.lastReindex }
        : {}),
  };
}

/** Status while the finalizer runs: phase Deleting, not Ready, and Degraded if data cleanup failed. */
export function deletingStatus(
  previous: MyRAGDBStatus | undefined,
  generation: number,
  now: Date,
  failure?: string,
): MyRAGDBStatus {
  let conditions = previous?.conditions ?? [];
  const set = (type: ConditionType, status: ConditionStatus, reason: ConditionReason, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: generation }, now);
  };
  set(ConditionType.Ready, ConditionStatus.False, ConditionReason.Deleting, 'being deleted');
  set(
    ConditionType.Degraded,
    failure ? ConditionStatus.True : ConditionStatus.False,
    failure ? ConditionReason.DataCleanupFailed : ConditionReason.AsExpected,
    failure ?? 'carrying out the deletion policy',
  );
  return { ...previous, phase: Phase.Deleting, conditions };
}

/**
 * Whether writing `next` would change anything (key order ignored: the API server does not keep ours). Skipping
 * equal writes matters: every write is a watch event that triggers another reconcile.
 */
export function statusChanged(previous: MyRAGDBStatus | undefined, next: MyRAGDBStatus): boolean {
  return stableHash(previous ?? {}, 64) !== stableHash(next, 64);
}
