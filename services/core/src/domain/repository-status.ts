import type { Catalog, RepositoryStats } from '../ports/catalog.js';
import type { Job, JobQueue } from '../ports/job-queue.js';

export type RepositoryState = 'pending' | 'indexing' | 'ready' | 'error';

/** A repository's state from its catalog stats and its queued/running jobs: what status pages and the CLI show. */
export function repositoryState(stats: RepositoryStats, activeJobs: readonly Job[]): RepositoryState {
  if (activeJobs.some((job) => job.state === 'running')) return 'indexing';
  if (stats.lastError) return 'error';
  return stats.lastIndexedAt ? 'ready' : 'pending';
}

export interface RepositoryStatusSummary {
  name: string;
  status: RepositoryState;
  files: number;
  chunks: number;
  vectorsPending: number;
  skippedFiles: number;
  /** Skipped files per reason, e.g. `{ "binary": 3 }`. */
  skippedByReason: Record<string, number>;
  lastIndexedAt: string | null;
  /** Where its keyword documents are (engine/format/index); null before its first sync. */
  keywordStore: string | null;
  error?: string;
  progress?: Record<string, unknown>;
}

/**
 * The one status summary the API, `repo list` and `index status` report: catalog counts, the derived state, and the
 * running job's progress.
 */
export function summarizeRepositoryStatus(
  name: string,
  stats: RepositoryStats,
  activeJobs: readonly Job[],
): RepositoryStatusSummary {
  const running = activeJobs.find((job) => job.state === 'running');
  return {
    name,
    status: repositoryState(stats, activeJobs),
    files: stats.files,
    chunks: stats.chunks,
    vectorsPending: stats.vectorsPending,
    skippedFiles: stats.skippedFiles,
    skippedByReason: stats.skippedByReason,
    lastIndexedAt: stats.lastIndexedAt?.toISOString() ?? null,
    keywordStore: stats.keywordStore ?? null,
    ...(stats.lastError ? { error: stats.lastError } : {}),
    ...(running && isRecord(running.progress) ? { progress: running.progress } : {}),
  };
}

/** Reads a repository's stats and active jobs and summarises them; the stats come along for detailed views. */
export async function readRepositoryStatus(
  catalog: Pick<Catalog, 'stats'>,
  jobs: Pick<JobQueue, 'list'>,
  name: string,
): Promise<{ summary: RepositoryStatusSummary; stats: RepositoryStats }> {
  const [stats, active] = await Promise.all([
    catalog.stats(name),
    jobs.list({ repository: name, states: ['queued', 'running'], limit: 5 }),
  ]);
  return { summary: summarizeRepositoryStatus(name, stats, active), stats };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
