/**
 * Runs the MyRAGDB controller: informers on the custom resource and on the children whose status matters
 * (Deployments, StatefulSets, Jobs), a rate-limited work queue keyed by namespace/name, and N workers.
 * A child event enqueues its owning MyRAGDB (found by the instance label).
 */
import type { KubeConfig } from '@kubernetes/client-node';
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

export class ControllerManager {
  readonly queue: WorkQueue;
  private readonly informers: Informer<KubeObject>[];
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
    this.informers = [
      informer(Resources.MyRAGDB, undefined, objectKey),
      ...CHILD_WATCHES.map((resource) =>
        informer(resource, MANAGED_SELECTOR, (object) => {
          const instance = object.metadata.labels?.[Labels.instance];
          return instance && object.metadata.namespace ? `${object.metadata.namespace}/${instance}` : undefined;
        }),
      ),
    ];
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
      const result = await this.options.reconciler.reconcile(namespace, name);
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
