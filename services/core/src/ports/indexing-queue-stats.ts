/**
 * What the health service reads about the indexing queue; implemented by the catalog over its jobs table.
 * Times are computed by the database (`now()`), so a skewed health-service clock cannot invent stuck jobs.
 */
export interface QueueStuckJob {
  id: string;
  repository: string;
  /** Milliseconds since the job last reported progress (heartbeat). */
  idleMs: number;
}

export interface RepositorySyncState {
  repository: string;
  lastSuccessAt: Date | null;
  /** Failed jobs since the last successful one. */
  consecutiveFailures: number;
  lastError: string | null;
}

export interface IndexingQueueCounts {
  queued: number;
  running: number;
}

export interface IndexingQueueStats extends IndexingQueueCounts {
  /** Running jobs idle for longer than the given threshold. */
  stuckJobs: QueueStuckJob[];
  repositories: RepositorySyncState[];
}

export interface IndexingQueueStatsSource {
  queueStats(stuckAfterMs: number): Promise<IndexingQueueStats>;
}
