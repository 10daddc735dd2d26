/**
 * Composition root of the operator. `startOperator` wires the API client, reconciler, controller manager, leader
 * election and probe server; cmd/ (`myragdb operator run`, the `myragdb-operator` bin) parses flags into its options.
 */
import { AppliedChildren } from './kube/apply.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../services/core/src/logging.js';
import { ControllerManager } from './controller/manager.js';
import { MyRAGDBReconciler } from './controller/myragdb.controller.js';
import { GatewayRepositoryCatalog, type RepositoryCatalog } from './controller/repository-catalog.port.js';
import type { MyRAGDB } from './api/v1alpha1/myragdb.types.js';
import { EventRecorder } from './kube/event-recorder.js';
import { KubeClient } from './kube/kube-client.js';
import { LeaderElector } from './kube/leader-election.js';
import { ControllerMetrics } from './metrics/controller.metrics.js';
import { startProbeServer, type ProbeServer } from './http/probe.server.js';
import { gatewayServiceUrl } from './specs/services.specs.js';

export interface LeaderElectionSettings {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Watch one namespace; undefined: all namespaces (needs the ClusterRole). */
  namespace?: string;
  workers: number;
  resyncPeriodMs: number;
  leaderElection?: LeaderElectionSettings;
  /** Probe and metrics server; omitted: none (tests that run several operators in one process). */
  http?: { host: string; port: number };
  /** Identity on events. */
  instance: string;
  /** The instances' repository catalogs; default: each gateway's admin API. */
  catalog?: RepositoryCatalog;
  /** Gateway base URL (repository registration, data cleanup); default: the in-cluster Service URL. */
  gatewayUrl?: (resource: MyRAGDB) => string;
  notReadyRequeueMs?: number;
  defaultMetrics?: boolean;
}

export interface RunningOperator {
  metrics: ControllerMetrics;
  probeUrl?: string;
  isLeader(): boolean;
  /** The manager while leading (tests inspect its queue). */
  manager(): ControllerManager | undefined;
  stop(): Promise<void>;
}

/** The finalizer talks to the gateway inside the cluster, through its Service (never through the Ingress). */
function defaultGatewayUrl(resource: MyRAGDB): string {
  return gatewayServiceUrl({ name: resource.metadata.name, namespace: resource.metadata.namespace! });
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { logger } = options;
  const metrics = new ControllerMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const client = new KubeClient(options.kubeConfig, (method, statusCode) => metrics.restRequest(method, statusCode));
  const reconciler = new MyRAGDBReconciler({
    client,
    events: new EventRecorder(client, options.instance),
    logger,
    catalog: options.catalog ?? new GatewayRepositoryCatalog(),
    gatewayUrl: options.gatewayUrl ?? defaultGatewayUrl,
    applied: new AppliedChildren(),
    ...(options.notReadyRequeueMs === undefined ? {} : { notReadyRequeueMs: options.notReadyRequeueMs }),
  });
  let manager: ControllerManager | undefined;
  let transition = Promise.resolve();
  const createManager = () =>
    new ControllerManager({
      kubeConfig: options.kubeConfig,
      client,
      reconciler,
      metrics,
      logger,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      workers: options.workers,
      resyncPeriodMs: options.resyncPeriodMs,
    });
  const lead = () => {
    transition = transition.then(() => {
      manager = createManager();
      manager.start();
      logger.info('controller started', { namespace: options.namespace ?? '(all)', workers: options.workers });
    });
  };
  const standDown = () => {
    transition = transition.then(async () => {
      const stopping = manager;
      manager = undefined;
      await stopping?.stop();
      logger.info('controller stopped');
    });
  };

  let elector: LeaderElector | undefined;
  if (options.leaderElection) {
    const settings = options.leaderElection;
    elector = new LeaderElector({
      client,
      ...settings,
      logger,
      onStartedLeading: () => {
        metrics.setLeader(settings.name, true);
        lead();
      },
      onStoppedLeading: () => {
        metrics.setLeader(settings.name, false);
        standDown();
      },
    });
    elector.start();
  } else {
    lead();
  }

  let probes: ProbeServer | undefined;
  if (options.http) {
    probes = await startProbeServer({
      ...options.http,
      registry: metrics.registry,
      // A standby is ready: it is healthy and waiting for the lease.
      ready: () => (elector && !elector.isLeader ? true : (manager?.synced ?? false)),
    });
  }

  return {
    metrics,
    ...(probes ? { probeUrl: probes.url } : {}),
    isLeader: () => (elector ? elector.isLeader : true),
    manager: () => manager,
    async stop() {
      if (elector) await elector.stop();
      else standDown();
      await transition;
      await probes?.close();
    },
  };
}
