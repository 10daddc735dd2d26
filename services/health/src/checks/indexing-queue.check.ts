import { ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';
import type { IndexingQueueStats, IndexingQueueStatsSource } from '../../../core/src/ports/indexing-queue-stats.js';
import type { ComponentCheck, ProbeResult } from './component-check.js';

/**
 * The indexing queue, via the catalog: backlog, stuck jobs and the last successful sync per repository. Stuck jobs
 * or repositories whose last sync failed make it degraded (search still answers, from a staler index).
 */
export class IndexingQueueCheck implements ComponentCheck<IndexingQueueStats> {
  readonly kind = ComponentKind.INDEXING_QUEUE;

  constructor(
    private readonly source: IndexingQueueStatsSource,
    private readonly stuckAfterMs: number,
    readonly name = 'indexing-queue',
  ) {}

  async probe(): Promise<ProbeResult<IndexingQueueStats>> {
    const stats = await this.source.queueStats(this.stuckAfterMs);
    const failing = stats.repositories.filter((repository) => repository.consecutiveFailures > 0);
    const problems = [
      ...(stats.stuckJobs.length > 0 ? [`${stats.stuckJobs.length} stuck job(s)`] : []),
      ...(failing.length > 0 ? [`failing: ${failing.map((r) => r.repository).join(', ')}`] : []),
    ];
    return {
      status: problems.length > 0 ? HealthStatus.DEGRADED : HealthStatus.HEALTHY,
      message: `${stats.queued} queued, ${stats.running} running${problems.length > 0 ? `; ${problems.join('; ')}` : ''}`,
      details: {
        queued: stats.queued,
        running: stats.running,
        stuck_jobs: stats.stuckJobs,
        repositories: stats.repositories.map((r) => ({
          repository: r.repository,
          last_success_at: r.lastSuccessAt?.toISOString() ?? null,
          consecutive_failures: r.consecutiveFailures,
          ...(r.lastError ? { last_error: r.lastError } : {}),
        })),
      },
      data: stats,
    };
  }
}
