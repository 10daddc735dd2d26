import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPostgresCatalog } from '../../../services/core/src/adapters/catalog/postgres.catalog.js';
import { PostgresJobQueue } from '../../../services/core/src/adapters/job-queue/postgres.job-queue.js';
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../services/core/src/errors.js';
import type { Catalog } from '../../../services/core/src/ports/catalog.js';
import type { Job } from '../../../services/core/src/ports/job-queue.js';
import { usePostgres } from '../../support/postgres.js';

const LEASE_MS = 60_000;

for (const engine of ['server', 'pglite'] as const) {
  describe(`PostgresJobQueue (${engine === 'server' ? 'PostgreSQL' : 'PGlite'})`, function () {
    const pg = usePostgres({ engine, setup: (sql) => migrate(sql).then(() => undefined) });
    let queue: PostgresJobQueue;
    let catalog: Catalog;

    beforeEach(async () => {
      await pg.sql.query('TRUNCATE repositories CASCADE');
      catalog = createPostgresCatalog(pg.sql);
      queue = new PostgresJobQueue(pg.sql, { retryBaseMs: 1 });
      for (const name of ['alpha', 'beta', 'gamma']) {
        await catalog.createRepository({ name, source: { type: 'local', path: `/srv/${name}` } });
      }
    });

    it('keeps one queued job per repository and kind', async () => {
      const first = await queue.enqueue('alpha', 'sync');
      const again = await queue.enqueue('alpha', 'sync');
      const full = await queue.enqueue('alpha', 'full');
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.equal(again.job.id, first.job.id);
      assert.equal(full.created, true);
      assert.equal(full.job.full, true);
      assert.equal((await queue.list({ repository: 'alpha', states: ['queued'] })).length, 2);
      await assert.rejects(queue.enqueue('ghost', 'sync'), NotFoundError);
      await assert.rejects(queue.enqueue('alpha', 'rebuild' as 'sync'), ValidationError);
    });

    it('claims, records progress, completes; a finished job lets a new one be queued', async () => {
      const { job } = await queue.enqueue('alpha', 'sync');
      const claimed = await queue.claim('worker-1', LEASE_MS);
      assert.equal(claimed?.id, job.id);
      assert.equal(claimed?.state, 'running');
      assert.equal(claimed?.attempts, 1);
      assert.equal(claimed?.lockedBy, 'worker-1');
      assert.ok(claimed.leaseExpiresAt! > claimed.heartbeatAt!);
      assert.equal(await queue.claim('worker-2', LEASE_MS), undefined);

      assert.equal(await queue.heartbeat(job.id, 'worker-1', LEASE_MS, { phase: 'keyword', filesDone: 3 }), true);
      assert.deepEqual((await queue.get(job.id)).progress, { phase: 'keyword', filesDone: 3 });
      assert.equal(await queue.heartbeat(job.id, 'worker-2', LEASE_MS, {}), false);

      await queue.complete(job.id, 'worker-1', { chunksWritten: 12 });
      const done = await queue.get(job.id);
      assert.equal(done.state, 'succeeded');
      assert.deepEqual(done.result, { chunksWritten: 12 });
      assert.ok(done.finishedAt);
      await assert.rejects(queue.complete(job.id, 'worker-1', {}), ConflictError);
      assert.equal((await queue.enqueue('alpha', 'sync')).created, true);
    });

    it('never runs two jobs of one repository at once', async () => {
      await queue.enqueue('alpha', 'sync');
      await queue.enqueue('alpha', 'full');
      const first = await queue.claim('worker-1', LEASE_MS);
      assert.equal(first?.repository, 'alpha');
      assert.equal(await queue.claim('worker-2', LEASE_MS), undefined);
      await queue.complete(first.id, 'worker-1', null);
      const second = await queue.claim('worker-2', LEASE_MS);
      assert.equal(second?.repository, 'alpha');
      assert.notEqual(second?.kind, first?.kind);
    });

    it('gives each job to exactly one of many concurrent claimers', async function () {
      this.timeout(60_000);
      // On a server, claimers use separate connection pools, as separate indexer replicas would.
      const pools = engine === 'server' ? [0, 1, 2].map(() => new PgSqlDatabase({ url: pg.url!, poolSize: 3 })) : [];
      try {
        const queues = pools.length > 0 ? pools.map((sql) => new PostgresJobQueue(sql)) : [queue, queue, queue];
        const names = Array.from({ length: 12 }, (_, index) => `repo-${index}`);
        for (const name of names) {
          await catalog.createRepository({ name, source: { type: 'local', path: `/srv/${name}` } });
          await queue.enqueue(name, 'sync');
        }
        const claimed: Job[] = [];
        await Promise.all(
          Array.from({ length: 6 }, async (_, worker) => {
            const workerQueue = queues[worker % queues.length]!;
            for (;;) {
              const job = await workerQueue.claim(`worker-${worker}`, LEASE_MS);
              if (!job) return;
              claimed.push(job);
            }
          }),
        );
        const ids = claimed.map((job) => job.id);
        assert.equal(ids.length, names.length);
        assert.equal(new Set(ids).size, names.length);
        assert.deepEqual(claimed.map((job) => job.repository).sort(), [...names].sort());
      } finally {
        await Promise.all(pools.map((sql) => sql.close()));
      }
    });

    it('requeues a job whose worker died (lease expired) so another worker resumes it', async () => {
      const { job } = await queue.enqueue('beta', 'sync');
      const dying = await queue.claim('worker-dead', 50);
      assert.equal(dying?.id, job.id);
      assert.equal(await queue.reclaimExpired(), 0);
      await sleep(120);
      assert.equal(await queue.reclaimExpired(), 1);
      const requeued = await queue.get(job.id);
      assert.equal(requeued.state, 'queued');
      assert.equal(requeued.error?.code, 'lease_expired');

      const resumed = await queue.claim('worker-alive', LEASE_MS);
      assert.equal(resumed?.id, job.id);
      assert.equal(resumed?.attempts, 2);
      // The dead worker's late calls cannot touch the job any more.
      assert.equal(await queue.heartbeat(job.id, 'worker-dead', LEASE_MS, {}), false);
      await assert.rejects(queue.complete(job.id, 'worker-dead', {}), ConflictError);
      await queue.complete(job.id, 'worker-alive', {});
      assert.equal((await queue.get(job.id)).error, undefined);
    });

    it('fails a job out of attempts when its lease expires again', async () => {
      const { job } = await queue.enqueue('beta', 'sync', { maxAttempts: 1 });
      await queue.claim('worker-dead', 20);
      await sleep(80);
      assert.equal(await queue.reclaimExpired(), 1);
      const failed = await queue.get(job.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error?.code, 'lease_expired');
    });

    it('retries retryable failures while attempts remain, then fails for good', async () => {
      const { job } = await queue.enqueue('gamma', 'sync', { maxAttempts: 2 });
      await queue.claim('w', LEASE_MS);
      await queue.fail(job.id, 'w', { code: 'dependency_unavailable', message: 'chroma down' }, { retryable: true });
      assert.equal((await queue.get(job.id)).state, 'queued');
      await sleep(20);
      await queue.claim('w', LEASE_MS);
      await queue.fail(job.id, 'w', { code: 'dependency_unavailable', message: 'still down' }, { retryable: true });
      const failed = await queue.get(job.id);
      assert.equal(failed.state, 'failed');
      assert.deepEqual(failed.error, { code: 'dependency_unavailable', message: 'still down' });

      const { job: bad } = await queue.enqueue('gamma', 'sync');
      await queue.claim('w', LEASE_MS);
      await queue.fail(bad.id, 'w', { code: 'not_found', message: 'path missing' });
      assert.equal((await queue.get(bad.id)).state, 'failed');
    });

    it('releases a job on graceful stop and cancels queued and running jobs', async () => {
      const { job } = await queue.enqueue('alpha', 'sync');
      await queue.claim('w1', LEASE_MS);
      await queue.release(job.id, 'w1');
      const released = await queue.get(job.id);
      assert.equal(released.state, 'queued');
      assert.equal(released.attempts, 0);

      const running = await queue.claim('w2', LEASE_MS);
      const requested = await queue.cancel(running!.id);
      assert.equal(requested.state, 'running');
      assert.equal(requested.cancelRequested, true);
      assert.equal(await queue.heartbeat(running!.id, 'w2', LEASE_MS, {}), false);
      assert.equal((await queue.get(running!.id)).state, 'cancelled');

      const { job: queued } = await queue.enqueue('beta', 'full');
      assert.equal((await queue.cancel(queued.id)).state, 'cancelled');
      await assert.rejects(queue.cancel('00000000-0000-0000-0000-000000000000'), NotFoundError);
      await assert.rejects(queue.get('not-a-uuid'), NotFoundError);
    });

    it('announces every change that makes a job claimable to watchers, from another connection too', async () => {
      // On a server the announcing queue uses its own pool, as the gateway enqueueing for an indexer replica would.
      const other = engine === 'server' ? new PgSqlDatabase({ url: pg.url!, poolSize: 1 }) : undefined;
      let announcements = 0;
      const unwatch = await queue.watch(() => announcements++);
      const settle = async (expected: number) => {
        for (let waited = 0; announcements < expected && waited < 5_000; waited += 20) await sleep(20);
        assert.equal(announcements, expected);
      };
      try {
        const announcer = other ? new PostgresJobQueue(other, { retryBaseMs: 1 }) : queue;
        const { job } = await announcer.enqueue('alpha', 'sync');
        await settle(1);
        await announcer.enqueue('alpha', 'sync'); // already queued: nothing new to claim
        await announcer.claim('w', LEASE_MS);
        await announcer.release(job.id, 'w');
        await settle(2);
        await announcer.claim('w', LEASE_MS);
        await announcer.complete(job.id, 'w', null);
        await settle(3);
        await unwatch();
        await announcer.enqueue('beta', 'sync');
        await sleep(200);
        assert.equal(announcements, 3, 'nothing after unwatch');
      } finally {
        await other?.close();
      }
    });

    // PGlite listens in process: there is no connection to count.
    const onServer = engine === 'server' ? it : undefined;
    onServer?.('shares one LISTEN connection among the watchers of a process; the last to stop closes it', async () => {
      const sql = new PgSqlDatabase({ url: pg.url!, poolSize: 1, applicationName: 'myragdb-shared-listen' });
      const listening = async () =>
        Number(
          (
            await pg.sql.query<{ count: string }>(
              "SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = 'myragdb-shared-listen-listen'",
            )
          ).rows[0]!.count,
        );
      try {
        const watching = new PostgresJobQueue(sql, { retryBaseMs: 1 });
        const counts = [0, 0, 0];
        const stops = await Promise.all(counts.map((_, index) => watching.watch(() => counts[index]!++)));
        assert.equal(await listening(), 1);
        await queue.enqueue('alpha', 'sync');
        for (let waited = 0; counts.some((count) => count === 0) && waited < 5_000; waited += 20) await sleep(20);
        assert.deepEqual(counts, [1, 1, 1]);
        await stops[0]!();
        await stops[0]!(); // stopping twice stops nothing else
        await queue.enqueue('beta', 'sync');
        for (let waited = 0; counts[1] === 1 && waited < 5_000; waited += 20) await sleep(20);
        assert.deepEqual(counts, [1, 2, 2]);
        assert.equal(await listening(), 1);
        await stops[1]!();
        await stops[2]!();
        for (let waited = 0; (await listening()) > 0 && waited < 5_000; waited += 50) await sleep(50);
        assert.equal(await listening(), 0);
      } finally {
        await sql.close();
      }
    });

    it('tells when the next retry delay or lease ends, which no announcement covers', async () => {
      assert.equal(await queue.nextDueInMs(), undefined);
      const slow = new PostgresJobQueue(pg.sql, { retryBaseMs: 30_000 });
      const { job } = await slow.enqueue('alpha', 'sync');
      assert.equal(await slow.nextDueInMs(), undefined, 'a job runnable now is announced, not due');
      await slow.claim('w', 10_000);
      const lease = await slow.nextDueInMs();
      assert.ok(lease !== undefined && lease > 8_000 && lease <= 10_000, `lease due in ${lease} ms`);
      await slow.fail(job.id, 'w', { code: 'dependency_unavailable', message: 'down' }, { retryable: true });
      const retry = await slow.nextDueInMs();
      assert.ok(retry !== undefined && retry > 25_000 && retry <= 30_000, `retry due in ${retry} ms`);
    });

    it('enqueues due periodic syncs once, for repositories with nothing queued, running or recent', async () => {
      assert.equal(await queue.enqueueDueSyncs(3600), 3);
      assert.equal(await queue.enqueueDueSyncs(3600), 0);
      const job = await queue.claim('w', LEASE_MS);
      await queue.complete(job!.id, 'w', null);
      assert.equal(await queue.enqueueDueSyncs(3600), 0);
      await assert.rejects(queue.enqueueDueSyncs(0), ValidationError);
    });
  });
}
