import type { ComponentHealth, SystemMetrics } from '../../../core/src/domain/health-report.js';

/** Everything one probe round observed; the input of the status rules and the alert rules. */
export interface HealthObservations {
  system: SystemMetrics;
  components: ComponentHealth[];
  /** Request traffic of the search gateways since the previous round; null when no metrics could be read. */
  traffic: TrafficSummary | null;
  /** Indexing queue as seen in the catalog; null when the catalog could not be read. */
  queue: QueueSummary | null;
}

export interface TrafficSummary {
  /** Requests completed in the window. */
  requests: number;
  /** p95 of API request durations in the window; null without requests. */
  apiLatencyP95Ms: number | null;
  /** p95 of search durations (all modes) in the window; null without searches. */
  searchLatencyP95Ms: number | null;
  /** 5xx responses as a percentage of all responses in the window; null without requests. */
  errorRatePercent: number | null;
}

export interface StuckJob {
  id: string;
  repository: string;
  /** Milliseconds since the job last reported progress. */
  idleMs: number;
}

export interface FailingRepository {
  repository: string;
  /** Failed jobs since the last successful one. */
  consecutiveFailures: number;
  lastError: string;
}

export interface QueueSummary {
  /** Jobs waiting to run. */
  backlog: number;
  /** Backlog now minus the smallest backlog seen in the growth window; null until the window has data. */
  backlogGrowth: number | null;
  stuckJobs: StuckJob[];
  failingRepositories: FailingRepository[];
}
