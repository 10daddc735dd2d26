import type { RepositoryStats } from '../ports/catalog.js';
import type { Job } from '../ports/job-queue.js';

export type RepositoryState = 'pending' | 'indexing' | 'ready' | 'error';

/** A repository's state from its catalog stats and its queued/running jobs: what status pages and the CLI show. */
export function repositoryState(stats: RepositoryStats, activeJobs: readonly Job[]): RepositoryState {
  if (activeJobs.some((job) => job.state === 'running')) return 'indexing';
  if (stats.lastError) return 'error';
  return stats.lastIndexedAt ? 'ready' : 'pending';
}
