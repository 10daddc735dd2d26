import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../core/src/logging.js';
import type { Job, JobError, JobQueue } from '../../../core/src/ports/job-queue.js';

/** The queue operations a worker uses; leases make a crashed worker's job claimable again. */
export type WorkerQueue = Pick<JobQueue, 'claim' | 'heartbeat' | 'complete' | 'fail' | 'release' | 'reclaimExpired'>;

export interface JobContext {
  signal: AbortSignal;
  /** Latest progress; sent with the next heartbeat. */
  reportProgress: (progress: unknown) => void;
}

export interface JobOutcomeObserver {
  onSucceeded?(job: Job, durationMs: number): void;
  onFailed?(job: Job, durationMs: number, error: unknown): void;
}

export interface IndexingWorkerOptions extends JobOutcomeObserver {
  queue: WorkerQueue;
  runJob(job: Job, context: JobContext): Promise<unknown>;
  workerId: string;
  /** Jobs this process runs at once. */
  concurrency: number;
  logger: Logger;
  leaseMs?: number;
  heartbeatMs?: number;
  pollIntervalMs?: number;
  /** Turns a thrown error into what the job's status shows. */
  describeError(error: unknown): JobError & { retryable: boolean };
}

/**
 * Runs `concurrency` claim → run → complete loops until `signal` aborts. On abort, running jobs are aborted at
 * their next checkpoint and released to the queue, so a rolling restart loses no work (their phase-1 writes are
 * idempotent and phase 2 resumes from the vectors-pending marks).
 */
export async function runIndexingWorkers(options: IndexingWorkerOptions, signal: AbortSignal): Promise<void> {
  const slots = Array.from({ length: Math.max(1, options.concurrency) }, (_, slot) => runSlot(options, slot, signal));
  await Promise.all(slots);
}

async function runSlot(options: IndexingWorkerOptions, slot: number, signal: AbortSignal): Promise<void> {
  const { queue, logger } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  while (!signal.aborted) {
    let job: Job | undefined;
    try {
      if (slot === 0) await queue.reclaimExpired();
      job = await queue.claim(options.workerId, leaseMs);
    } catch (error) {
      logger.warn('indexing worker could not claim a job', { error: options.describeError(error) });
    }
    if (!job) {
      await sleep(pollIntervalMs, undefined, { signal }).catch(() => undefined);
      continue;
    }
    await runClaimedJob(options, job, leaseMs, signal);
  }
}

async function runClaimedJob(
  options: IndexingWorkerOptions,
  job: Job,
  leaseMs: number,
  stop: AbortSignal,
): Promise<void> {
  const { queue, logger, workerId } = options;
  const log = logger.child({ context: { job_id: job.id, repository: job.repository } });
  const jobAbort = new AbortController();
  const onStop = () => jobAbort.abort(new JobStoppedError('worker is stopping'));
  stop.addEventListener('abort', onStop, { once: true });
  let progress: unknown;
  const heartbeat = setInterval(
    () => {
      queue.heartbeat(job.id, workerId, leaseMs, progress).then(
        (held) => {
          if (!held) jobAbort.abort(new JobStoppedError('job cancelled, or its lease was lost'));
        },
        (error: unknown) => log.warn('heartbeat failed', { error: options.describeError(error) }),
      );
    },
    // Often enough that progress (saved with each heartbeat) looks live, and well inside the lease.
    options.heartbeatMs ?? Math.max(250, Math.min(2_000, Math.floor(leaseMs / 4))),
  );

  const started = performance.now();
  log.info('indexing job started', { full: job.full });
  try {
    const result = await options.runJob(job, {
      signal: jobAbort.signal,
      reportProgress: (next) => {
        progress = next;
      },
    });
    await queue.complete(job.id, workerId, result);
    const durationMs = performance.now() - started;
    options.onSucceeded?.(job, durationMs);
    log.info('indexing job succeeded', { durationMs: Math.round(durationMs), result });
  } catch (error) {
    const durationMs = performance.now() - started;
    if (jobAbort.signal.aborted && jobAbort.signal.reason instanceof JobStoppedError) {
      log.info('indexing job interrupted', { reason: jobAbort.signal.reason.message });
      if (stop.aborted) await queue.release(job.id, workerId).catch(() => undefined);
    } else {
      const described = options.describeError(error);
      log.error('indexing job failed', { error: described });
      options.onFailed?.(job, durationMs, error);
      await queue
        .fail(
          job.id,
          workerId,
          { code: described.code, message: described.message },
          { retryable: described.retryable },
        )
        .catch((failError: unknown) =>
          log.error('could not record job failure', { error: options.describeError(failError) }),
        );
    }
  } finally {
    clearInterval(heartbeat);
    stop.removeEventListener('abort', onStop);
  }
}

/** The job was stopped from outside (shutdown, lost lease), not failed by its own work. */
export class JobStoppedError extends Error {
  override readonly name = 'JobStoppedError';
}
