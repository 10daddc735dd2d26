/**
 * Runs the MyRAGDB controller: informers on the custom resource and on the children whose status matters
 * (Deployments, StatefulSets, Jobs), a rate-limited work queue keyed by namespace/name, and N workers.
 * A child event enqueues its owning MyRAGDB (found by the instance label). Every child informer, and those of the
 * other child kinds (which enqueue nothing), also serve the reconciles' reads (see ChildCache).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { cacheKey, InformerChildCache } from '../kube/child-cache.js';
import { Informer, type InformerLogger } from '../kube/informer.js';
import type { KubeClient } from '../kube/kube-client.js';
import { objectKey, type KubeObject } from '../kube/kube-object.js';
import { defaultControllerRateLimiter, type RateLimiter } from '../kube/rate-limiter.js';
import { Resources, resourcePath, type ResourceType } from '../kube/resources.js';
import { WorkQueue } from '../kube/work-queue.js';
import type { ControllerMetrics } from '../metrics/controller.metrics.js';
import { Labels, MANAGED_SELECTOR } from '../specs/names.js';
import type { MyRAGDBReconciler, ReconcileLogger } from './myragdb.controller.js';

export const CONTROLLER_NAME = 'myragdb';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  client: KubeClient;
  reconciler: Pick<MyRAGDBReconciler, 'reconcile'>;
  metrics: ControllerMetrics;
  logger: ReconcileLogger & InformerLogger;
  /** Watch only this namespace; undefined watches all namespaces. */
  namespace?: string;
  workers: number;
  resyncPeriodMs: number;
  rateLimiter?: RateLimiter;
}

const CHILD_WATCHES: readonly ResourceType[] = [Resources.Deployment, Resources.StatefulSet, Resources.Job];
/**
 * Child kinds cached for reads only: their changes do not need a reconcile (pods show through their workloads), so
 * they enqueue nothing. Secrets stay live reads: the operator may not list them. CloudNativePG's kinds stay live
 * too: their API may not be installed.
 */
const CHILD_CACHES: readonly ResourceType[] = [
  Resources.Pod,
  Resources.PersistentVolumeClaim,
  Resources.Service,
  Resources.ConfigMap,
  Resources.CronJob,
  Resources.HorizontalPodAutoscaler,
  Resources.PodDisruptionBudget,
  Resources.NetworkPolicy,
  Resources.Ingress,
];

export class ControllerManager {
  readonly queue: WorkQueue;
  private readonly informers: Informer<KubeObject>[];
  private readonly cache: InformerChildCache;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: ManagerOptions) {
    this.queue = new WorkQueue(
      options.rateLimiter ?? defaultControllerRateLimiter(),
      options.metrics.queue(CONTROLLER_NAME),
    );
    const informer = (
      resource: ResourceType,
      labelSelector: string | undefined,
      toKey: (object: KubeObject) => string | undefined,
    ) =>
      new Informer<KubeObject>({
        name: resource.plural,
        kubeConfig: options.kubeConfig,
        client: options.client,
        path: resourcePath(resource, options.namespace),
        labelSelector,
        resyncPeriodMs: options.resyncPeriodMs,
        logger: options.logger,
        onEvent: (_event, object) => {
          const key = toKey(object);
          if (key) this.queue.add(key);
        },
        onRestart: () => options.metrics.watchRestarted(resource.plural),
      });
    const children = new Map<string, Informer<KubeObject>>();
    for (const resource of CHILD_WATCHES) {
      children.set(
        cacheKey(resource),
        informer(resource, MANAGED_SELECTOR, (object) => {
          const instance = object.metadata.labels?.[Labels.instance];
          return instance && object.metadata.namespace ? `${object.metadata.namespace}/${instance}` : undefined;
        }),
      );
    }
    for (const resource of CHILD_CACHES)
      children.set(
        cacheKey(resource),
        informer(resource, MANAGED_SELECTOR, () => undefined),
      );
    this.informers = [informer(Resources.MyRAGDB, undefined, objectKey), ...children.values()];
    this.cache = new InformerChildCache(children, Labels.instance);
  }

  /** True once every informer has listed once. */
  get synced(): boolean {
    return this.informers.every((informer) => informer.hasSynced);
  }

  start(): void {
    this.options.metrics.setMaxConcurrent(CONTROLLER_NAME, this.options.workers);
    for (const informer of this.informers) informer.start();
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
  }

  /** Stops watching and taking work; waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.queue.shutdown();
    await Promise.all(this.informers.map((informer) => informer.stop()));
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const { metrics, logger } = this.options;
    const [namespace, name] = key.split('/') as [string, string];
    const done = metrics.reconcileStarted(CONTROLLER_NAME);
    try {
      const result = await this.options.reconciler.reconcile(namespace, name, this.cache);
      this.queue.forget(key);
      if (result.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        metrics.reconciled(CONTROLLER_NAME, 'requeue_after');
      } else {
        metrics.reconciled(CONTROLLER_NAME, 'success');
      }
    } catch (error) {
      metrics.reconciled(CONTROLLER_NAME, 'error');
      logger.error('reconcile failed; retrying with backoff', {
        namespace,
        name,
        failures: this.queue.failures(key) + 1,
        error: error instanceof Error ? error.message : String(error),
      });
      this.queue.addRateLimited(key);
    } finally {
      done();
      this.queue.done(key);
    }
  }
}
