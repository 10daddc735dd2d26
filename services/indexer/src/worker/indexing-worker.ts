import { EventEmitter, once } from 'node:events';
import type { Logger } from '../../../core/src/logging.js';
import type { Job, JobError, JobQueue } from '../../../core/src/ports/job-queue.js';

/** The queue operations a worker uses; leases make a crashed worker's job claimable again. */
export type WorkerQueue = Pick<
  JobQueue,
  'claim' | 'heartbeat' | 'complete' | 'fail' | 'release' | 'reclaimExpired' | 'watch' | 'nextDueInMs'
>;

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
  /**
   * Longest sleep of an idle slot. Slots wake when the queue announces a job and when a retry delay or a lease is
   * due, so this only bounds the delay when an announcement is lost (default 60 s).
   */
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
  const wake = new QueueWake();
  let unwatch: (() => Promise<void>) | undefined;
  try {
    unwatch = await options.queue.watch(() => wake.announce());
  } catch (error) {
    options.logger.warn('indexing worker cannot watch the job queue; it polls it instead', {
      error: options.describeError(error),
    });
  }
  try {
    const slots = Array.from({ length: Math.max(1, options.concurrency) }, () => runSlot(options, wake, signal));
    await Promise.all(slots);
  } finally {
    await unwatch?.();
  }
}

/**
 * Wakes idle slots when the queue announces a change. The generation catches an announcement that arrives between
 * a slot's look at the queue and its sleep, which would otherwise be slept through.
 */
class QueueWake {
  private generation = 0;
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  get seen(): number {
    return this.generation;
  }

  announce(): void {
    this.generation++;
    this.emitter.emit('job');
  }

  async sleep(seen: number, ms: number, signal: AbortSignal): Promise<void> {
    if (seen !== this.generation || signal.aborted) return;
    await once(this.emitter, 'job', { signal: AbortSignal.any([signal, AbortSignal.timeout(ms)]) }).catch(
      () => undefined,
    );
  }
}

async function runSlot(options: IndexingWorkerOptions, wake: QueueWake, signal: AbortSignal): Promise<void> {
  const { queue, logger } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 60_000;
  while (!signal.aborted) {
    const seen = wake.seen;
    let job: Job | undefined;
    let sleepMs = pollIntervalMs;
    try {
      await queue.reclaimExpired();
      job = await queue.claim(options.workerId, leaseMs);
      // Not announced: a retry delay ending or a lease expiring. Never 0, so a row at the edge cannot spin the loop.
      if (!job) sleepMs = Math.max(MIN_SLEEP_MS, Math.min(sleepMs, (await queue.nextDueInMs()) ?? Infinity));
    } catch (error) {
      logger.warn('indexing worker could not claim a job', { error: options.describeError(error) });
      sleepMs = Math.min(sleepMs, ERROR_RETRY_MS);
    }
    if (!job) {
      await wake.sleep(seen, sleepMs, signal);
      continue;
    }
    await runClaimedJob(options, job, leaseMs, signal);
  }
}

const MIN_SLEEP_MS = 50;
/** Sleep after the queue could not be read (the database restarting, say). */
const ERROR_RETRY_MS = 2_000;

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
