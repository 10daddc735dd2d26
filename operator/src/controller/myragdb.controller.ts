/**
 * Reconciles one MyRAGDB: observe → desired → apply → status. Decisions live in pure modules (spec parser,
 * builders, status); this file sequences the I/O and turns every failure into a condition, an event and a requeue.
 */
import { REDIS_COMPONENT } from '../specs/redis.specs.js';
import { ConditionReason, ConditionStatus, ConditionType, EventReason } from '../api/v1alpha1/conditions.js';
import { FINALIZER } from '../api/v1alpha1/group.js';
import { parseMyRAGDBSpec, type MyRAGDBSpec } from '../api/v1alpha1/myragdb.spec.js';
import type { ComponentStatus, KeywordEngineStatus, MyRAGDB } from '../api/v1alpha1/myragdb.types.js';
import type { AppliedChildren } from '../kube/apply.js';
import type { EventSink } from '../kube/event-recorder.js';
import type { KubeClient } from '../kube/kube-client.js';
import { myRAGDBPath, patchFinalizers, patchStatus } from '../kube/status-patch.js';
import type { BuildContext } from '../specs/build-context.js';
import { SERVICE_COMPONENTS, ServiceComponent, STORE_NAMES } from '../specs/components.js';
import { CNPG_API_VERSION } from '../specs/cloudnative-pg.specs.js';
import { buildDesiredState } from '../specs/desired-state.js';
import { servingVersion } from '../specs/rollout.js';
import { childName, selectorLabels, type Owner } from '../specs/names.js';
import { reindexJobName } from '../specs/reindex.specs.js';
import { buildRepositoryRegistrations } from '../specs/repositories.specs.js';
import {
  keywordEngines,
  keywordEngineWaiting,
  nextKeywordEngineStatus,
  repositoriesToMove,
  type KeywordEngines,
  type RepositoryKeywordStores,
} from '../specs/keyword-engine.js';
import { gatewayEndpoint } from '../specs/services.specs.js';
import { usedStores } from '../specs/stores.specs.js';
import { applyChildren, growClaims, pruneChildren, storeTemplateSizes } from './apply-children.js';
import { finalize, type FinalizeDependencies } from './finalizer.js';
import { generatedSecretNames, resolveGeneratedSecrets } from './generated-secrets.js';
import {
  computeStatus,
  deletingStatus,
  deploymentStatus,
  findCondition,
  reindexOutcome,
  statefulSetStatus,
  stalledRollouts,
  statusChanged,
  type Problem,
} from './myragdb.status.js';
import { dataSafetyFacts, type DataSafetyFacts } from './data-safety.status.js';
import { observe, podFailures, type Observation } from './observe.js';

export interface ReconcileLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): ReconcileLogger;
}

export interface ReconcilerDependencies extends FinalizeDependencies {
  client: KubeClient;
  events: EventSink;
  logger: ReconcileLogger;
  now?: () => Date;
  /** Re-check interval while not ready (pods and external secrets are not watched). */
  notReadyRequeueMs?: number;
  /** Skips applies that would change nothing (see AppliedChildren); every child is applied each reconcile without it. */
  applied?: AppliedChildren;
}

export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** Thrown to have the key retried with backoff; carries the problems already written to status. */
export class RetryableReconcileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableReconcileError';
  }
}

export class MyRAGDBReconciler {
  private readonly now: () => Date;

  constructor(private readonly deps: ReconcilerDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const { client } = this.deps;
    const logger = this.deps.logger.child({ namespace, name });
    let resource = await client.find<MyRAGDB>(myRAGDBPath(namespace, name));
    if (!resource) return {};
    if (resource.metadata.deletionTimestamp) return this.release(resource, logger);
    if (!resource.metadata.finalizers?.includes(FINALIZER)) {
      resource = await patchFinalizers(client, resource, [...(resource.metadata.finalizers ?? []), FINALIZER]);
    }
    const parsed = parseMyRAGDBSpec(resource.spec);
    if (!parsed.ok) {
      await this.writeStatus(resource, {
        spec: undefined,
        problems: [{ reason: ConditionReason.InvalidSpec, message: parsed.message, permanent: true }],
      });
      logger.warn('invalid spec', { problem: parsed.message });
      return {};
    }
    return this.converge(resource, parsed.spec, logger);
  }

  /** Runs the deletion policy; a failed cleanup is reported (status, Warning event) and retried with backoff. */
  private async release(resource: MyRAGDB, logger: ReconcileLogger): Promise<ReconcileResult> {
    if (!resource.metadata.finalizers?.includes(FINALIZER)) return {};
    const generation = resource.metadata.generation ?? 0;
    const deleting = deletingStatus(resource.status, generation, this.now());
    if (statusChanged(resource.status, deleting)) resource = await patchStatus(this.deps.client, resource, deleting);
    try {
      const summary = await finalize(this.deps, resource);
      logger.info('released after deletion', { summary });
      return {};
    } catch (error) {
      const message = `cleanup before deletion failed: ${(error as Error).message}`;
      const failed = deletingStatus(resource.status, generation, this.now(), message);
      if (statusChanged(resource.status, failed)) {
        await patchStatus(this.deps.client, resource, failed);
        await this.deps.events
          .record(resource, 'Warning', ConditionReason.DataCleanupFailed, message)
          .catch((eventError: unknown) => logger.warn('could not record event', { error: String(eventError) }));
      }
      throw new RetryableReconcileError(message, { cause: error });
    }
  }

  private async converge(resource: MyRAGDB, spec: MyRAGDBSpec, logger: ReconcileLogger): Promise<ReconcileResult> {
    const { client } = this.deps;
    const owner: Owner = {
      name: resource.metadata.name,
      namespace: resource.metadata.namespace!,
      uid: resource.metadata.uid,
    };
    const observation = await observe(client, resource, spec, generatedSecretNames(owner));
    const facts = dataSafetyFacts(spec, owner, observation, resource.status);
    const context: BuildContext = {
      owner,
      spec,
      secrets: resolveGeneratedSecrets(owner, observation.generatedSecretData),
      observed: {
        storeTemplateSizes: storeTemplateSizes(spec, owner, observation.statefulSets),
        lastReindex: resource.status?.lastReindex,
        ...(facts.runningVersion ? { runningVersion: facts.runningVersion } : {}),
        ...(facts.migration ? { migration: facts.migration } : {}),
      },
    };
    // A keyword engine switch's progress comes first: the reconcile that sees it complete also applies its end state
    // (the gateway on the new engine, an unused Meilisearch gone).
    const engines = keywordEngines(spec.keywordEngine, resource.status?.keywordEngine);
    const switching = engines.serving !== engines.indexing;
    const keywordEngine = nextKeywordEngineStatus(
      engines,
      switching && !spec.paused
        ? await this.keywordEngineProgress(resource, context, observation, engines).catch((error: Error) => {
            logger.warn('could not read the keyword engine switch progress', { error: error.message });
            return undefined;
          })
        : undefined,
    );
    if (switching) logger.info('keyword engine switch', { keywordEngine });
    // Paused, nothing is applied: the children keep describing the engine the status last recorded.
    context.observed.keywordEngine = spec.paused ? resource.status?.keywordEngine : keywordEngine;
    const problems: Problem[] = [
      ...facts.problems,
      ...observation.missingSecrets.map((message) => ({ reason: ConditionReason.SecretNotFound, message })),
      ...podFailures(observation.pods).map(({ component, message }) => ({
        reason: ConditionReason.ComponentFailed,
        message: `${component}: ${message}`,
      })),
      ...stalledRollouts(observation.deployments.values()),
    ];
    let retryable: Error[] = [];
    if (!spec.paused) {
      const desired = buildDesiredState(context).filter(
        (object) => !(facts.skipCloudNativePG && object.apiVersion === CNPG_API_VERSION),
      );
      const outcome = await applyChildren(client, owner, desired, this.deps.applied);
      problems.push(...outcome.problems);
      retryable = outcome.retryable;
      // Pruning only matters after a spec change or a completed keyword engine switch that left Meilisearch unused,
      // and only when every desired object was applied.
      const unusedMeilisearch =
        !usedStores(context).includes('meilisearch') &&
        observation.statefulSets.has(childName(resource.metadata, 'meilisearch'));
      const changed = resource.status?.observedGeneration !== resource.metadata.generation || unusedMeilisearch;
      if (outcome.problems.length === 0 && changed) {
        const pruned = await pruneChildren(client, owner, desired);
        if (pruned.length > 0) logger.info('pruned children no longer desired', { pruned });
      }
      try {
        const grown = await growClaims(client, context, observation.claims);
        if (grown.length > 0) logger.info('grew store volumes', { grown });
      } catch (error) {
        // Typically a storage class without volume expansion: report it, and keep reconciling everything else.
        problems.push({
          reason: ConditionReason.ApplyFailed,
          message: `grow store volume: ${(error as Error).message}`,
        });
        retryable.push(error as Error);
      }
    }
    if (!spec.paused && spec.repositories.length > 0) {
      await this.registerRepositories(resource, spec, context, observation, logger).catch((error: Error) => {
        problems.push({ reason: ConditionReason.RepositorySyncFailed, message: error.message });
        retryable.push(error);
      });
    }
    const status = await this.writeStatus(resource, {
      spec,
      context,
      observation,
      problems,
      facts,
      keywordEngine,
    });
    if (retryable.length > 0) {
      throw new RetryableReconcileError(retryable.map((error) => error.message).join('; '), { cause: retryable[0] });
    }
    const ready = findCondition(status, ConditionType.Ready)?.status === ConditionStatus.True;
    return ready || spec.paused ? {} : { requeueAfterMs: this.deps.notReadyRequeueMs ?? 15_000 };
  }

  /**
   * During a keyword engine switch: which repositories' documents are in the new engine (read through the gateway,
   * once it is up), and a sync queued for each of the others, which fills the new engine from the catalog.
   */
  private async keywordEngineProgress(
    resource: MyRAGDB,
    context: BuildContext,
    observation: Observation,
    engines: KeywordEngines,
  ): Promise<RepositoryKeywordStores | undefined> {
    const gateway = observation.deployments.get(childName(resource.metadata, ServiceComponent.Gateway));
    if (!deploymentStatus(gateway).ready) return undefined;
    const target = { gatewayUrl: this.deps.gatewayUrl(resource), apiKey: context.secrets.apiKey };
    const stores = await this.deps.catalog.keywordStores(target);
    const waiting = repositoriesToMove(engines, stores);
    if (waiting.length > 0) await this.deps.catalog.requestSync(target, waiting);
    return stores;
  }

  /**
   * Registers `spec.repositories` missing from the instance's catalog, once its gateway is up. Registration only
   * adds: repositories added by users through the API are theirs, and removing one deletes its index.
   */
  private async registerRepositories(
    resource: MyRAGDB,
    spec: MyRAGDBSpec,
    context: BuildContext,
    observation: Observation,
    logger: ReconcileLogger,
  ): Promise<void> {
    const gateway = observation.deployments.get(childName(resource.metadata, ServiceComponent.Gateway));
    if (!deploymentStatus(gateway).ready) return;
    const target = { gatewayUrl: this.deps.gatewayUrl(resource), apiKey: context.secrets.apiKey };
    const registered = new Set(await this.deps.catalog.listRepositories(target));
    for (const repository of buildRepositoryRegistrations(spec, observation.referencedSecretData)) {
      if (registered.has(repository.name)) continue;
      await this.deps.catalog.registerRepository(target, repository);
      logger.info('registered repository', { repository: repository.name });
      await this.deps.events
        .record(resource, 'Normal', EventReason.RepositoryRegistered, `registered repository ${repository.name}`)
        .catch((error: unknown) => logger.warn('could not record event', { error: String(error) }));
    }
  }

  private async writeStatus(
    resource: MyRAGDB,
    input: {
      spec: MyRAGDBSpec | undefined;
      context?: BuildContext;
      observation?: Observation;
      problems: Problem[];
      facts?: DataSafetyFacts;
      keywordEngine?: KeywordEngineStatus;
    },
  ) {
    const { spec, context, observation, facts, keywordEngine } = input;
    const stores: Record<string, ComponentStatus> = {};
    const services: Record<string, ComponentStatus> = {};
    if (spec && observation) {
      for (const store of context ? usedStores(context) : STORE_NAMES) {
        stores[store] = spec.stores[store].external
          ? { ready: true, external: true, message: 'external' }
          : store === 'postgres' && facts?.postgres
            ? facts.postgres
            : statefulSetStatus(observation.statefulSets.get(childName(resource.metadata, store)));
      }
      // Optional: the gateways do not start without the Redis they are configured with.
      if (spec.stores.redis) {
        stores[REDIS_COMPONENT] = spec.stores.redis.external
          ? { ready: true, external: true, message: 'external' }
          : deploymentStatus(observation.deployments.get(childName(resource.metadata, REDIS_COMPONENT)));
      }
      for (const component of SERVICE_COMPONENTS) {
        services[component] = deploymentStatus(observation.deployments.get(childName(resource.metadata, component)));
      }
    }
    const requestId = spec?.reindex.requestId;
    const lastReindex =
      requestId && observation
        ? reindexOutcome(
            requestId,
            observation.jobs.get(reindexJobName(resource.metadata, requestId)),
            resource.status?.lastReindex,
          )
        : undefined;
    const gateway = observation?.deployments.get(childName(resource.metadata, ServiceComponent.Gateway));
    const next = computeStatus({
      generation: resource.metadata.generation ?? 0,
      previous: resource.status,
      now: this.now(),
      paused: spec?.paused ?? false,
      stores: spec ? stores : (resource.status?.components ?? {}),
      services: spec ? services : {},
      problems: input.problems,
      ...(lastReindex ? { lastReindex } : {}),
      gatewayReplicas: (gateway?.status?.replicas as number | undefined) ?? 0,
      selector: Object.entries(selectorLabels(resource.metadata, ServiceComponent.Gateway))
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
      ...(context ? { version: servingVersion(context), gatewayEndpoint: gatewayEndpoint(context) } : {}),
      ...(facts
        ? {
            waiting: [...facts.waiting, ...keywordEngineWaiting(keywordEngine)],
            ...(facts.backup ? { backup: facts.backup } : {}),
            ...(facts.migration ? { migration: facts.migration } : {}),
          }
        : {}),
      ...(keywordEngine ? { keywordEngine } : {}),
    });
    if (statusChanged(resource.status, next)) {
      await patchStatus(this.deps.client, resource, next);
      await this.recordTransitions(resource, next);
    }
    return next;
  }

  /** Events for what an operator-watcher cares about: becoming ready, new problems, reindex outcomes. */
  private async recordTransitions(resource: MyRAGDB, next: NonNullable<MyRAGDB['status']>): Promise<void> {
    // An event that cannot be written (RBAC, API hiccup) must not fail the reconcile it describes.
    const events = {
      record: (...args: Parameters<EventSink['record']>) =>
        this.deps.events
          .record(...args)
          .catch((error: unknown) =>
            this.deps.logger.warn('could not record event', { reason: args[2], error: String(error) }),
          ),
    };
    const before = (type: string) => findCondition(resource.status, type);
    const after = (type: string) => findCondition(next, type);
    const changed = (type: string) =>
      before(type)?.status !== after(type)?.status ||
      before(type)?.reason !== after(type)?.reason ||
      before(type)?.message !== after(type)?.message;
    const degraded = after(ConditionType.Degraded);
    if (degraded?.status === ConditionStatus.True && changed(ConditionType.Degraded)) {
      await events.record(resource, 'Warning', degraded.reason, degraded.message);
    }
    const ready = after(ConditionType.Ready);
    if (ready?.status === ConditionStatus.True && before(ConditionType.Ready)?.status !== ConditionStatus.True) {
      await events.record(resource, 'Normal', ready.reason, ready.message);
    }
    const reindex = after(ConditionType.ReindexSucceeded);
    if (reindex && changed(ConditionType.ReindexSucceeded)) {
      await events.record(
        resource,
        reindex.status === ConditionStatus.False ? 'Warning' : 'Normal',
        reindex.reason,
        reindex.message,
      );
    }
  }
}
