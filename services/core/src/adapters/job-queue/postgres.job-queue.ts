import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import {
  JOB_KINDS,
  JOB_STATES,
  type EnqueueOptions,
  type Job,
  type JobError,
  type JobKind,
  type JobQueue,
  type ListJobsOptions,
} from '../../ports/job-queue.js';
import type { SqlDatabase } from '../../ports/sql-database.js';
import { sqlState } from '../sql-database/sql-errors.js';

interface JobRow {
  id: string;
  repository: string;
  kind: JobKind;
  state: Job['state'];
  progress: unknown;
  result: unknown;
  error: JobError | null;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  heartbeat_at: Date | null;
  lease_expires_at: Date | null;
  cancel_requested: boolean;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface PostgresJobQueueOptions {
  /** Delay before a failed retryable job runs again: `retryBaseMs * 2^(attempts-1)`. */
  retryBaseMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLAIM_ATTEMPTS = 5;
/** NOTIFY channel of every change that can make a job claimable. */
const JOBS_CHANNEL = 'myragdb_jobs';

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    repository: row.repository,
    kind: row.kind,
    full: row.kind === 'full',
    state: row.state,
    progress: row.progress ?? undefined,
    result: row.result ?? undefined,
    error: row.error ?? undefined,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lockedBy: row.locked_by ?? undefined,
    heartbeatAt: row.heartbeat_at ?? undefined,
    leaseExpiresAt: row.lease_expires_at ?? undefined,
    cancelRequested: row.cancel_requested,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function checkLease(leaseMs: number): void {
  if (!Number.isInteger(leaseMs) || leaseMs <= 0) throw new ValidationError('leaseMs must be a positive integer');
}

function checkJobId(jobId: string): void {
  if (!UUID.test(jobId)) throw new NotFoundError(`job "${jobId}" does not exist`);
}

/**
 * The job queue on PostgreSQL or PGlite. Claims use `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on
 * or take the same row; every time comparison uses the database clock, so replicas' clocks never disagree on leases.
 */
export class PostgresJobQueue implements JobQueue {
  private readonly retryBaseMs: number;

  constructor(
    private readonly sql: SqlDatabase,
    options: PostgresJobQueueOptions = {},
  ) {
    this.retryBaseMs = options.retryBaseMs ?? 5_000;
  }

  async enqueue(
    repository: string,
    kind: JobKind,
    options: EnqueueOptions = {},
  ): Promise<{ job: Job; created: boolean }> {
    if (!JOB_KINDS.includes(kind)) throw new ValidationError(`job kind must be one of ${JOB_KINDS.join(', ')}`);
    const maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new ValidationError('maxAttempts must be >= 1');
    // The queued job that made the insert a no-op may be claimed before we read it back: then insert again.
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      let inserted: JobRow | undefined;
      try {
        const { rows } = await this.sql.query<JobRow>(
          `INSERT INTO jobs (repository, kind, max_attempts) VALUES ($1, $2, $3)
           ON CONFLICT (repository, kind) WHERE state = 'queued' DO NOTHING RETURNING *`,
          [repository, kind, maxAttempts],
        );
        inserted = rows[0];
      } catch (error) {
        if (sqlState(error) === '23503') throw new NotFoundError(`repository "${repository}" does not exist`);
        throw error;
      }
      if (inserted) {
        await this.announce();
        return { job: toJob(inserted), created: true };
      }
      const { rows } = await this.sql.query<JobRow>(
        "SELECT * FROM jobs WHERE repository = $1 AND kind = $2 AND state = 'queued'",
        [repository, kind],
      );
      if (rows[0]) return { job: toJob(rows[0]), created: false };
    }
    throw new ConflictError(`could not enqueue a ${kind} job for "${repository}": the queue changed too often`);
  }

  async enqueueDueSyncs(intervalSeconds: number): Promise<number> {
    if (!(intervalSeconds > 0)) throw new ValidationError('intervalSeconds must be positive');
    // Due = no job queued or running, and none finished within the interval (a failing repository is retried once
    // per interval, not in a hot loop).
    const { rowCount } = await this.sql.query(
      `INSERT INTO jobs (repository, kind)
       SELECT r.name, 'sync' FROM repositories r
       WHERE NOT EXISTS (
         SELECT 1 FROM jobs j WHERE j.repository = r.name
           AND (j.state IN ('queued', 'running') OR j.finished_at > now() - $1 * interval '1 second'))
       ON CONFLICT (repository, kind) WHERE state = 'queued' DO NOTHING`,
      [intervalSeconds],
    );
    if (rowCount > 0) await this.announce();
    return rowCount;
  }

  async claim(workerId: string, leaseMs: number): Promise<Job | undefined> {
    checkLease(leaseMs);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      try {
        const { rows } = await this.sql.query<JobRow>(
          `UPDATE jobs SET state = 'running', locked_by = $1, attempts = attempts + 1, heartbeat_at = now(),
             lease_expires_at = now() + $2 * interval '1 millisecond', started_at = coalesce(started_at, now())
           WHERE state = 'queued' AND id = (
             SELECT q.id FROM jobs q
             WHERE q.state = 'queued' AND q.run_after <= now()
               AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.repository = q.repository AND r.state = 'running')
             ORDER BY q.run_after, q.created_at
             LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING *`,
          [workerId, leaseMs],
        );
        return rows[0] ? toJob(rows[0]) : undefined;
      } catch (error) {
        // Another worker started a job of the same repository at the same moment (jobs_one_running): look again.
        if (sqlState(error) !== '23505') throw error;
      }
    }
    return undefined;
  }

  async heartbeat(jobId: string, workerId: string, leaseMs: number, progress: unknown): Promise<boolean> {
    checkLease(leaseMs);
    checkJobId(jobId);
    const { rows } = await this.sql.query<{ cancel_requested: boolean }>(
      `UPDATE jobs SET heartbeat_at = now(), lease_expires_at = now() + $3 * interval '1 millisecond',
         progress = coalesce($4::jsonb, progress),
         state = CASE WHEN cancel_requested THEN 'cancelled' ELSE state END,
         finished_at = CASE WHEN cancel_requested THEN now() END,
         locked_by = CASE WHEN cancel_requested THEN NULL ELSE locked_by END
       WHERE id = $1 AND locked_by = $2 AND state = 'running'
       RETURNING cancel_requested`,
      [jobId, workerId, leaseMs, json(progress)],
    );
    // A cancelled running job frees its repository for the next queued one.
    if (rows[0]?.cancel_requested) await this.announce();
    return rows[0] !== undefined && !rows[0].cancel_requested;
  }

  async complete(jobId: string, workerId: string, result: unknown): Promise<void> {
    checkJobId(jobId);
    const { rowCount } = await this.sql.query(
      `UPDATE jobs SET state = 'succeeded', result = $3::jsonb, error = NULL, finished_at = now(),
         locked_by = NULL, lease_expires_at = NULL
       WHERE id = $1 AND locked_by = $2 AND state = 'running'`,
      [jobId, workerId, json(result)],
    );
    if (rowCount === 0) throw new ConflictError(`job ${jobId} is not running under worker ${workerId}`);
    await this.announce();
  }

  async fail(jobId: string, workerId: string, error: JobError, options: { retryable?: boolean } = {}): Promise<void> {
    checkJobId(jobId);
    const params = [jobId, workerId, JSON.stringify({ code: error.code, message: error.message })];
    if (options.retryable) {
      try {
        const { rowCount } = await this.sql.query(
          `UPDATE jobs SET state = 'queued', error = $3::jsonb, locked_by = NULL, lease_expires_at = NULL,
             run_after = now() + $4 * power(2, attempts - 1) * interval '1 millisecond'
           WHERE id = $1 AND locked_by = $2 AND state = 'running' AND attempts < max_attempts`,
          [...params, this.retryBaseMs],
        );
        if (rowCount > 0) {
          await this.announce();
          return;
        }
      } catch (failure) {
        // A newer job of the same kind is already queued: it does this work, so this one just fails.
        if (sqlState(failure) !== '23505') throw failure;
      }
    }
    const { rowCount } = await this.sql.query(
      `UPDATE jobs SET state = 'failed', error = $3::jsonb, finished_at = now(), locked_by = NULL,
         lease_expires_at = NULL
       WHERE id = $1 AND locked_by = $2 AND state = 'running'`,
      params,
    );
    if (rowCount === 0) throw new ConflictError(`job ${jobId} is not running under worker ${workerId}`);
    await this.announce();
  }

  async release(jobId: string, workerId: string): Promise<void> {
    checkJobId(jobId);
    try {
      await this.sql.query(
        `UPDATE jobs SET state = 'queued', locked_by = NULL, lease_expires_at = NULL,
           attempts = greatest(attempts - 1, 0)
         WHERE id = $1 AND locked_by = $2 AND state = 'running'`,
        [jobId, workerId],
      );
    } catch (error) {
      if (sqlState(error) !== '23505') throw error;
      await this.sql.query(
        `UPDATE jobs SET state = 'cancelled', finished_at = now(), locked_by = NULL, lease_expires_at = NULL,
           error = '{"code":"superseded","message":"a newer job of the same kind was queued"}'::jsonb
         WHERE id = $1 AND locked_by = $2 AND state = 'running'`,
        [jobId, workerId],
      );
    }
    await this.announce();
  }

  async cancel(jobId: string): Promise<Job> {
    checkJobId(jobId);
    const { rows } = await this.sql.query<JobRow>(
      `UPDATE jobs SET
         state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
         finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END,
         cancel_requested = cancel_requested OR state = 'running'
       WHERE id = $1 RETURNING *`,
      [jobId],
    );
    if (!rows[0]) throw new NotFoundError(`job "${jobId}" does not exist`);
    return toJob(rows[0]);
  }

  async reclaimExpired(): Promise<number> {
    const { rowCount } = await this.sql.query(
      `WITH expired AS (
         SELECT e.id,
           CASE WHEN e.cancel_requested THEN 'cancelled'
                WHEN e.attempts >= e.max_attempts THEN 'failed'
                WHEN EXISTS (SELECT 1 FROM jobs q WHERE q.repository = e.repository AND q.kind = e.kind
                               AND q.state = 'queued') THEN 'cancelled'
                ELSE 'queued' END AS next_state
         FROM jobs e WHERE e.state = 'running' AND e.lease_expires_at < now()
         FOR UPDATE SKIP LOCKED)
       UPDATE jobs j SET state = x.next_state, locked_by = NULL, lease_expires_at = NULL,
         finished_at = CASE WHEN x.next_state = 'queued' THEN NULL ELSE now() END,
         error = jsonb_build_object('code', 'lease_expired',
           'message', 'worker ' || coalesce(j.locked_by, '?') || ' stopped renewing its lease')
       FROM expired x WHERE j.id = x.id AND j.state = 'running'`,
    );
    if (rowCount > 0) await this.announce();
    return rowCount;
  }

  watch(listener: () => void): Promise<() => Promise<void>> {
    return this.sql.listen(JOBS_CHANNEL, listener);
  }

  async nextDueInMs(): Promise<number | undefined> {
    const { rows } = await this.sql.query<{ due_in_ms: number | null }>(
      `SELECT ceil(extract(epoch FROM least(
           (SELECT min(run_after) FROM jobs WHERE state = 'queued' AND run_after > now()),
           (SELECT min(lease_expires_at) FROM jobs WHERE state = 'running')) - now()) * 1000)::float8 AS due_in_ms`,
    );
    const due = rows[0]?.due_in_ms;
    return due === null || due === undefined ? undefined : Math.max(0, due);
  }

  /**
   * Wakes every watching worker, in this process and others. Best effort: the change itself is committed, and
   * workers also look again on their own schedule, so a failed NOTIFY only delays a claim.
   */
  private async announce(): Promise<void> {
    await this.sql.query('SELECT pg_notify($1, NULL)', [JOBS_CHANNEL]).catch(() => undefined);
  }

  async get(jobId: string): Promise<Job> {
    checkJobId(jobId);
    const { rows } = await this.sql.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [jobId]);
    if (!rows[0]) throw new NotFoundError(`job "${jobId}" does not exist`);
    return toJob(rows[0]);
  }

  async list(options: ListJobsOptions = {}): Promise<Job[]> {
    const states = options.states ?? [];
    const unknown = states.filter((state) => !JOB_STATES.includes(state));
    if (unknown.length > 0) throw new ValidationError(`unknown job states: ${unknown.join(', ')}`);
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError('limit must be 1-1000');
    const { rows } = await this.sql.query<JobRow>(
      `SELECT * FROM jobs
       WHERE ($1::text IS NULL OR repository = $1::text) AND (cardinality($2::text[]) = 0 OR state = ANY($2::text[]))
       ORDER BY created_at DESC, id LIMIT $3`,
      [options.repository ?? null, states, limit],
    );
    return rows.map(toJob);
  }
}
