/**
 * Indexing jobs in PostgreSQL, shared by every indexer replica. A claim takes a lease that the worker extends with
 * heartbeats; a job whose lease expires (its worker was killed) is queued again and resumes on another worker.
 * At most one job is queued per repository and kind, and at most one runs per repository.
 */
export const JOB_KINDS = ['sync', 'full'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobError {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  repository: string;
  kind: JobKind;
  /** `kind === 'full'`: drop the repository's documents from every store and rebuild. */
  full: boolean;
  state: JobState;
  progress: unknown;
  result: unknown;
  error: JobError | undefined;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | undefined;
  heartbeatAt: Date | undefined;
  leaseExpiresAt: Date | undefined;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
}

export interface EnqueueOptions {
  maxAttempts?: number;
}

export interface ListJobsOptions {
  repository?: string;
  states?: readonly JobState[];
  limit?: number;
}

export interface JobQueue {
  /** Queues a job, or returns the one already queued for the repository and kind (`created: false`). */
  enqueue(repository: string, kind: JobKind, options?: EnqueueOptions): Promise<{ job: Job; created: boolean }>;
  /** Queues a sync for every repository last indexed more than `intervalSeconds` ago with no job queued or running. */
  enqueueDueSyncs(intervalSeconds: number): Promise<number>;
  /** The oldest runnable job, now leased to `workerId` for `leaseMs`; undefined when there is none. */
  claim(workerId: string, leaseMs: number): Promise<Job | undefined>;
  /** Extends the lease and records progress; false when the lease was lost or cancellation was requested. */
  heartbeat(jobId: string, workerId: string, leaseMs: number, progress: unknown): Promise<boolean>;
  complete(jobId: string, workerId: string, result: unknown): Promise<void>;
  /** Fails the job; it is queued again while attempts remain and the error is retryable. */
  fail(jobId: string, workerId: string, error: JobError, options?: { retryable?: boolean }): Promise<void>;
  /** Gives a claimed job back untouched (graceful stop): the next worker starts it again. */
  release(jobId: string, workerId: string): Promise<void>;
  /** Queued: cancelled now. Running: its worker sees `heartbeat() === false` and stops. */
  cancel(jobId: string): Promise<Job>;
  /** Queues again (or fails, when out of attempts) every running job whose lease expired; returns how many. */
  reclaimExpired(): Promise<number>;
  /**
   * Calls `listener` whenever a job may have become claimable, from any process: one was queued or released, or a
   * repository's running job ended. Resolves to the function that stops it. Workers wait on this instead of polling.
   */
  watch(listener: () => void): Promise<() => Promise<void>>;
  /**
   * Milliseconds until the next change no notification announces: a failed job's retry delay ending, or a running
   * job's lease expiring. Undefined when neither is pending.
   */
  nextDueInMs(): Promise<number | undefined>;
  /** Throws NotFoundError. */
  get(jobId: string): Promise<Job>;
  /** Newest first. */
  list(options?: ListJobsOptions): Promise<Job[]>;
}
