import type {
  IndexingQueueCounts,
  IndexingQueueStats,
  IndexingQueueStatsSource,
} from '../../ports/indexing-queue-stats.js';
import type { SqlQueryable } from '../../ports/sql-database.js';

interface CountsRow {
  queued: string | number;
  running: string | number;
}
interface StuckRow {
  id: string;
  repository: string;
  idle_ms: string | number;
}
interface RepositoryRow {
  repository: string;
  last_success_at: Date | string | null;
  consecutive_failures: string | number;
  last_error: string | null;
}

/**
 * Queue health read from the catalog's `jobs` table (services/core/migrations). A job whose retries are left goes
 * back to `queued`, so `failed` rows are final failures: those after the last success are the consecutive ones.
 * Ages are computed with the database's `now()`.
 */
export class PostgresIndexingQueueStats implements IndexingQueueStatsSource {
  constructor(private readonly sql: SqlQueryable) {}

  /** Only the queued/running counts: cheap enough for every metrics scrape. */
  async queueCounts(): Promise<IndexingQueueCounts> {
    const { rows } = await this.sql.query<CountsRow>(
      `SELECT count(*) FILTER (WHERE state = 'queued') AS queued,
              count(*) FILTER (WHERE state = 'running') AS running
         FROM jobs`,
    );
    return { queued: Number(rows[0]?.queued ?? 0), running: Number(rows[0]?.running ?? 0) };
  }

  async queueStats(stuckAfterMs: number): Promise<IndexingQueueStats> {
    const [counts, stuck, repositories] = await Promise.all([
      this.queueCounts(),
      this.sql.query<StuckRow>(
        `SELECT id::text AS id, repository,
                extract(epoch FROM now() - coalesce(heartbeat_at, started_at, created_at)) * 1000 AS idle_ms
           FROM jobs
          WHERE state = 'running'
            AND coalesce(heartbeat_at, started_at, created_at) < now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY idle_ms DESC`,
        [stuckAfterMs],
      ),
      this.sql.query<RepositoryRow>(
        `WITH last_success AS (
           SELECT repository, max(finished_at) AS at FROM jobs WHERE state = 'succeeded' GROUP BY repository
         )
         SELECT r.name AS repository,
                s.at AS last_success_at,
                (SELECT count(*) FROM jobs f
                  WHERE f.repository = r.name AND f.state = 'failed'
                    AND f.finished_at > coalesce(s.at, '-infinity'::timestamptz)) AS consecutive_failures,
                (SELECT f.error->>'message' FROM jobs f
                  WHERE f.repository = r.name AND f.state = 'failed'
                    AND f.finished_at > coalesce(s.at, '-infinity'::timestamptz)
                  ORDER BY f.finished_at DESC LIMIT 1) AS last_error
           FROM repositories r LEFT JOIN last_success s ON s.repository = r.name
          ORDER BY r.name`,
      ),
    ]);
    return {
      ...counts,
      stuckJobs: stuck.rows.map((job) => ({
        id: job.id,
        repository: job.repository,
        idleMs: Math.round(Number(job.idle_ms)),
      })),
      repositories: repositories.rows.map((repository) => ({
        repository: repository.repository,
        lastSuccessAt: repository.last_success_at === null ? null : new Date(repository.last_success_at),
        consecutiveFailures: Number(repository.consecutive_failures),
        lastError: repository.last_error,
      })),
    };
  }
}
