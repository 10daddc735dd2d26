import assert from 'node:assert/strict';
import { PostgresIndexingQueueStats } from '../../../services/core/src/adapters/indexing-queue-stats/postgres.indexing-queue-stats.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { runCheck } from '../../../services/health/src/checks/component-check.js';
import { IndexingQueueCheck } from '../../../services/health/src/checks/indexing-queue.check.js';
import { usePostgres } from '../../support/postgres.js';

/** Queue health from the catalog's real `jobs` table (migrated schema), on PostgreSQL or PGlite. */
describe('PostgresIndexingQueueStats over the catalog jobs table', function () {
  this.timeout(60_000);
  const db = usePostgres({ engine: 'any', isolation: 'test', setup: (sql) => migrate(sql).then(() => undefined) });

  async function repository(name: string) {
    await db.sql.query(`INSERT INTO repositories (name, source, max_file_bytes) VALUES ($1, $2, 1000000)`, [
      name,
      JSON.stringify({ type: 'local', path: `/srv/${name}` }),
    ]);
  }
  /** A job in `state`, finished (or heartbeating) `minutesAgo` minutes ago. */
  async function job(name: string, state: string, minutesAgo: number, error?: string) {
    const at = `now() - make_interval(mins => ${minutesAgo})`;
    const finished = state === 'succeeded' || state === 'failed';
    await db.sql.query(
      `INSERT INTO jobs (repository, kind, state, error, started_at, heartbeat_at, finished_at)
       VALUES ($1, 'sync', $2, $3, ${at}, ${state === 'running' ? at : 'NULL'}, ${finished ? at : 'NULL'})`,
      [name, state, error ? JSON.stringify({ code: 'source_unreachable', message: error }) : null],
    );
  }

  it('reports an empty queue as healthy', async () => {
    const stats = await new PostgresIndexingQueueStats(db.sql).queueStats(60_000);
    assert.deepEqual(stats, { queued: 0, running: 0, stuckJobs: [], repositories: [] });
    const { component } = await runCheck(new IndexingQueueCheck(new PostgresIndexingQueueStats(db.sql), 60_000), 5000);
    assert.equal(component.status, 'healthy');
  });

  it('counts backlog, finds stuck jobs and failures since the last success per repository', async () => {
    for (const name of ['api', 'docs', 'web']) await repository(name);
    // api: failed long ago, then succeeded: healthy. docs: succeeded, then failed twice. web: stuck for 30 min.
    await job('api', 'failed', 120, 'old failure');
    await job('api', 'succeeded', 60);
    await job('docs', 'succeeded', 90);
    await job('docs', 'failed', 50, 'first');
    await job('docs', 'failed', 10, 'git fetch failed: repository not found');
    await job('web', 'running', 30);
    await job('api', 'queued', 0);
    await job('docs', 'queued', 0);

    const stats = await new PostgresIndexingQueueStats(db.sql).queueStats(15 * 60_000);
    assert.equal(stats.queued, 2);
    assert.equal(stats.running, 1);
    assert.equal(stats.stuckJobs.length, 1);
    assert.equal(stats.stuckJobs[0]?.repository, 'web');
    assert.ok(Math.abs((stats.stuckJobs[0]?.idleMs ?? 0) - 30 * 60_000) < 60_000);
    const byName = Object.fromEntries(stats.repositories.map((r) => [r.repository, r]));
    assert.equal(byName.api?.consecutiveFailures, 0);
    assert.equal(byName.api?.lastError, null);
    assert.ok(byName.api?.lastSuccessAt instanceof Date);
    assert.equal(byName.docs?.consecutiveFailures, 2);
    assert.equal(byName.docs?.lastError, 'git fetch failed: repository not found');
    assert.equal(byName.web?.lastSuccessAt, null);

    const { component } = await runCheck(
      new IndexingQueueCheck(new PostgresIndexingQueueStats(db.sql), 15 * 60_000),
      5000,
    );
    assert.equal(component.status, 'degraded');
    assert.equal(component.message, '2 queued, 1 running; 1 stuck job(s); failing: docs');

    // A longer stuck threshold: the running job is no longer stuck.
    assert.deepEqual((await new PostgresIndexingQueueStats(db.sql).queueStats(45 * 60_000)).stuckJobs, []);
  });
});
