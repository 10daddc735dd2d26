import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Repository } from '../../../core/src/domain/repository.js';
import { isAppError } from '../../../core/src/errors.js';
import type { Logger } from '../../../core/src/logging.js';
import type { Catalog } from '../../../core/src/ports/catalog.js';
import type { Job, JobError, JobQueue } from '../../../core/src/ports/job-queue.js';
import type { IndexingMetrics } from '../pipeline/indexing-metrics.js';
import { runIndexingWorkers } from './indexing-worker.js';
import { runSyncScheduler } from './sync-scheduler.js';
import {
  syncRepository,
  type SyncDependencies,
  type SyncProgress,
  type SyncResult,
} from '../pipeline/sync-repository.js';

export interface IndexerDependencies extends Omit<SyncDependencies, 'catalog'> {
  catalog: Catalog;
  queue: JobQueue;
  /** Directory with the repository's files: the local path, or a fresh checkout of its git source. */
  resolveSource(repository: Repository, signal: AbortSignal | undefined): Promise<string>;
  logger: Logger;
  metrics?: IndexingMetrics;
}

export interface IndexerOptions {
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Periodic sync of every repository; 0 disables it. */
  syncIntervalSeconds: number;
  workerId?: string;
  leaseMs?: number;
  pollIntervalMs?: number;
  fileBatchSize?: number;
  embedBatchSize?: number;
  embedConcurrency?: number;
}

export interface RunSyncOptions {
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
}

/** What the indexer service, `myragdb up` and the CLI drive. */
export interface Indexer {
  readonly workerId: string;
  /** Claims and runs queued jobs (and enqueues periodic syncs) until `signal` aborts. */
  runWorker(signal: AbortSignal): Promise<void>;
  /** Syncs one repository in this process, outside the queue, and records the outcome (integration tests). */
  syncRepository(name: string, options?: RunSyncOptions): Promise<SyncResult>;
}

/**
 * Composition of the sync pipeline, the job worker and the periodic scheduler. Stores and embedder are passed in,
 * so the same indexer runs in its own service, inside `myragdb up`, and in a CLI process.
 */
export function createIndexer(deps: IndexerDependencies, options: IndexerOptions): Indexer {
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const { catalog, queue, logger } = deps;
  const embedder = deps.metrics ? deps.metrics.timeEmbedder(deps.embedder) : deps.embedder;
  const syncDeps: SyncDependencies = { ...deps, embedder };

  const sync = async (name: string, run: RunSyncOptions): Promise<SyncResult> => {
    try {
      const repository = await catalog.getRepository(name);
      const root = await deps.resolveSource(repository, run.signal);
      const result = await syncRepository(root, repository, syncDeps, {
        full: run.full,
        signal: run.signal,
        onProgress: run.onProgress,
        fileBatchSize: options.fileBatchSize,
        embedBatchSize: options.embedBatchSize,
        embedConcurrency: options.embedConcurrency,
      });
      await catalog.recordSyncOutcome(name, {});
      deps.metrics?.recordSync(name, {
        files: result.reindexed + result.deleted,
        chunks: result.chunksWritten,
        embeddings: result.embedded,
      });
      return result;
    } catch (error) {
      // An interrupted job is not a failed repository: it resumes on the next claim.
      if (!run.signal?.aborted) {
        await catalog
          .recordSyncOutcome(name, { error: describeIndexingError(error).message })
          .catch((recordError: unknown) => logger.warn('could not record sync failure', { error: recordError }));
      }
      throw error;
    }
  };

  return {
    workerId,
    syncRepository: (name, run = {}) => sync(name, run),
    async runWorker(signal) {
      await Promise.all([
        runIndexingWorkers(
          {
            queue,
            workerId,
            concurrency: options.concurrency,
            logger,
            leaseMs: options.leaseMs,
            pollIntervalMs: options.pollIntervalMs,
            describeError: describeIndexingError,
            runJob: (job: Job, context) =>
              sync(job.repository, { full: job.full, signal: context.signal, onProgress: context.reportProgress }),
            onSucceeded: (job, durationMs) => deps.metrics?.recordJob(job.repository, 'succeeded', durationMs),
            onFailed: (job, durationMs) => deps.metrics?.recordJob(job.repository, 'failed', durationMs),
          },
          signal,
        ),
        runSyncScheduler(
          {
            enqueueDueSyncs: (seconds) => queue.enqueueDueSyncs(seconds),
            intervalSeconds: options.syncIntervalSeconds,
            logger,
          },
          signal,
        ),
      ]);
    },
  };
}

/** What a job's status shows for an error: typed errors keep their code; anything else is an internal error. */
export function describeIndexingError(error: unknown): JobError & { retryable: boolean } {
  if (isAppError(error)) return { code: error.code, message: error.message, retryable: error.retryable };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal_error', message, retryable: false };
}
