/**
 * Operator metrics under controller-runtime's names, so existing dashboards and alerts for Go operators work
 * unchanged: reconcile counts, errors and latency per controller, work-queue depth/adds/latency/retries, leader
 * status, plus watch restarts.
 */
import { EVENT_LOOP_SAMPLE_MS } from '../../../services/core/src/metrics.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetrics } from '../kube/work-queue.js';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue_after';

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  private readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  private readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  private readonly maxConcurrent = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  private readonly depth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  private readonly adds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  private readonly queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name'] as const,
    buckets: [0.001, 0.01, 0.1, 1, 10, 100, 1000],
    registers: [this.registry],
  });
  private readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes',
    labelNames: ['name'] as const,
    buckets: [0.001, 0.01, 0.1, 1, 10, 100, 1000],
    registers: [this.registry],
  });
  private readonly leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  private readonly watchRestarts = new Counter({
    name: 'myragdb_operator_watch_restarts_total',
    help: 'Watches restarted after an error, per resource',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  private readonly restRequests = new Counter({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests to the API server (watches excluded), partitioned by method and status code',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    }
  }

  reconcileStarted(controller: string): () => void {
    this.activeWorkers.inc({ controller });
    const stop = this.reconcileTime.startTimer({ controller });
    return () => {
      stop();
      this.activeWorkers.dec({ controller });
    };
  }

  reconciled(controller: string, result: ReconcileResultLabel): void {
    this.reconcileTotal.inc({ controller, result });
    if (result === 'error') this.reconcileErrors.inc({ controller });
  }

  setMaxConcurrent(controller: string, workers: number): void {
    this.maxConcurrent.set({ controller }, workers);
  }

  setLeader(lease: string, leading: boolean): void {
    this.leader.set({ name: lease }, leading ? 1 : 0);
  }

  /** Counts one API request: the steady-state write rate (no hot loops) is read from here. */
  restRequest(method: string, statusCode: number): void {
    this.restRequests.inc({ method, code: String(statusCode) });
  }

  watchRestarted(resource: string): void {
    this.watchRestarts.inc({ resource });
  }

  queue(name: string): QueueMetrics {
    return {
      depth: (value) => this.depth.set({ name }, value),
      added: () => this.adds.inc({ name }),
      retried: () => this.retries.inc({ name }),
      queued: (seconds) => this.queueDuration.observe({ name }, seconds),
      worked: (seconds) => this.workDuration.observe({ name }, seconds),
    };
  }
}
