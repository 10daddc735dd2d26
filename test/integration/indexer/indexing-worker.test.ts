import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresJobQueue } from '../../../services/core/src/adapters/job-queue/postgres.job-queue.js';
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import type { IndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import type { Job } from '../../../services/core/src/ports/job-queue.js';
import type { Embedder } from '../../../services/core/src/ports/embedder.js';
import { useChroma } from '../../support/chroma.js';
import { createFixtureRepository, QUERY_TS } from '../../support/fixture-repository.js';
import { usePostgres } from '../../support/postgres.js';
import { defaultTestEmbedder } from './default-embedder.js';
import { catalogIds, createTestRuntime, keywordIds, vectorIds } from './indexer-fixture.js';

const FINISHED = new Set<Job['state']>(['succeeded', 'failed', 'cancelled']);

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A fixture with many more files, so a job runs long enough to be interrupted. */
async function largerFixture(files: number): Promise<string> {
  const fixture = await createFixtureRepository();
  for (let index = 0; index < files; index++) {
    await fixture.write(`src/generated/query-${index}.ts`, QUERY_TS.replaceAll('Query', `Query${index}`));
  }
  return fixture.root;
}

describe('indexer workers: the Postgres job queue shared by several workers and processes', function () {
  this.timeout(240_000);
  const postgres = usePostgres({ isolation: 'test', setup: (sql) => migrate(sql).then(() => undefined) });
  const chroma = useChroma();
  let embedder: Embedder;
  const runtimes: IndexerRuntime[] = [];
  const extraPools: PgSqlDatabase[] = [];

  before(async () => {
    embedder = await defaultTestEmbedder();
  });
  after(() => embedder?.close());
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    for (const pool of extraPools.splice(0)) await pool.close();
  });

  const consistent = async (repository: string) => {
    const ids = await catalogIds(postgres, repository);
    assert.ok(ids.length > 0);
    assert.deepEqual(await keywordIds(postgres, repository), ids, `${repository}: keyword store = catalog`);
    assert.deepEqual(await vectorIds(chroma, repository), ids, `${repository}: vector store = catalog`);
    return ids;
  };

  it('two indexers with two slots each share the queue: every job runs once, no duplicates anywhere', async () => {
    const first = await createTestRuntime(postgres, chroma, embedder, { concurrency: 2, workerId: 'first' });
    const secondSql = new PgSqlDatabase({ url: postgres.url!, poolSize: 4 });
    extraPools.push(secondSql);
    const second = await createTestRuntime({ ...postgres, sql: secondSql }, chroma, embedder, {
      concurrency: 2,
      workerId: 'second',
    });
    runtimes.push(first, second);
    const names = ['alpha', 'beta', 'gamma'];
    for (const name of names) {
      await first.catalog.createRepository({ name, source: { type: 'local', path: await largerFixture(10) } });
      await first.queue.enqueue(name, 'sync');
      await first.queue.enqueue(name, 'sync'); // deduplicated
      await first.queue.enqueue(name, 'full');
    }
    const stop = new AbortController();
    const workers = [first.indexer.runWorker(stop.signal), second.indexer.runWorker(stop.signal)];
    try {
      await waitUntil(
        async () => (await first.queue.list()).every((job) => FINISHED.has(job.state)),
        120_000,
        'every job to finish',
      );
    } finally {
      stop.abort();
      await Promise.all(workers);
    }
    const jobs = await first.queue.list();
    assert.equal(jobs.length, names.length * 2, 'one sync and one full job per repository');
    assert.deepEqual(
      jobs.filter((job) => job.state !== 'succeeded').map((job) => [job.repository, job.state, job.error]),
      [],
    );
    assert.deepEqual(new Set(jobs.map((job) => job.lockedBy ?? 'done')), new Set(['done']));
    for (const name of names) await consistent(name);
  });

  it('a worker process killed mid-job: its lease expires and another worker finishes the same final state', async () => {
    const runtime = await createTestRuntime(postgres, chroma, embedder, { workerId: 'survivor', leaseMs: 1_500 });
    runtimes.push(runtime);
    await runtime.catalog.createRepository({ name: 'crash', source: { type: 'local', path: await largerFixture(60) } });
    const { job } = await runtime.queue.enqueue('crash', 'sync');

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/indexer/worker-child.ts'], {
      env: {
        ...process.env,
        // The survivor writes keywords to Postgres; MEILI_URL in the environment must not send these elsewhere.
        KEYWORD_ENGINE: 'postgres',
        DATABASE_URL: postgres.url!,
        CHROMA_URL: chroma.url,
        COLLECTION_PREFIX: chroma.collectionPrefix,
        WORKER_ID: 'doomed',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitUntil(
        async () => {
          const current = await runtime.queue.get(job.id);
          const progress = current.progress as { chunksWritten?: number } | undefined;
          return current.lockedBy === 'doomed' && (progress?.chunksWritten ?? 0) > 0;
        },
        60_000,
        'the child worker to be part way through the job',
      );
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const interrupted = await runtime.queue.get(job.id);
    assert.equal(interrupted.state, 'running', 'the killed worker left its job running under an expiring lease');

    const stop = new AbortController();
    const worker = runtime.indexer.runWorker(stop.signal);
    try {
      await waitUntil(async () => (await runtime.queue.get(job.id)).state === 'succeeded', 60_000, 'the resumed job');
    } finally {
      stop.abort();
      await worker;
    }
    const resumed = await consistent('crash');
    await runtime.indexer.syncRepository('crash', { full: true });
    assert.deepEqual(await consistent('crash'), resumed, 'same ids as a clean full rebuild');
  });

  it('stopping a worker mid-job releases the job to the queue instead of failing it', async () => {
    const runtime = await createTestRuntime(postgres, chroma, embedder, { workerId: 'stopping' });
    runtimes.push(runtime);
    await runtime.catalog.createRepository({
      name: 'stopped',
      source: { type: 'local', path: await largerFixture(30) },
    });
    const { job } = await runtime.queue.enqueue('stopped', 'sync');
    const stop = new AbortController();
    const worker = runtime.indexer.runWorker(stop.signal);
    await waitUntil(async () => (await runtime.queue.get(job.id)).state === 'running', 30_000, 'the job to start');
    stop.abort();
    await worker;
    const released = await runtime.queue.get(job.id);
    assert.deepEqual([released.state, released.lockedBy, released.error], ['queued', undefined, undefined]);
    assert.equal((await runtime.catalog.stats('stopped')).lastError, undefined, 'an interruption is not a failure');
  });

  it('cancelling a running job stops its worker at the next heartbeat; the job ends cancelled, not failed', async () => {
    const runtime = await createTestRuntime(postgres, chroma, embedder, { workerId: 'cancelled', fileBatchSize: 2 });
    runtimes.push(runtime);
    await runtime.catalog.createRepository({
      name: 'cancel',
      source: { type: 'local', path: await largerFixture(60) },
    });
    const { job } = await runtime.queue.enqueue('cancel', 'sync');
    const stop = new AbortController();
    const worker = runtime.indexer.runWorker(stop.signal);
    try {
      await waitUntil(async () => (await runtime.queue.get(job.id)).state === 'running', 30_000, 'the job to start');
      await runtime.queue.cancel(job.id);
      await waitUntil(async () => (await runtime.queue.get(job.id)).state === 'cancelled', 30_000, 'the cancellation');
      // The worker is free again: a new job for the repository runs to the end.
      const { job: next } = await runtime.queue.enqueue('cancel', 'sync');
      await waitUntil(async () => (await runtime.queue.get(next.id)).state === 'succeeded', 120_000, 'the next job');
    } finally {
      stop.abort();
      await worker;
    }
    assert.equal((await runtime.queue.get(job.id)).error, undefined);
    await consistent('cancel');
  });

  it("an idle worker wakes on the queue's announcements, not a poll, and keeps doing so after its LISTEN connection dies", async () => {
    // Ten minutes between polls: only an announcement can start these jobs within the test's time.
    const runtime = await createTestRuntime(postgres, chroma, embedder, {
      workerId: 'listening',
      pollIntervalMs: 600_000,
    });
    runtimes.push(runtime);
    const gateway = new PgSqlDatabase({ url: postgres.url!, poolSize: 1, applicationName: 'gateway-test' });
    extraPools.push(gateway);
    const gatewayQueue = new PostgresJobQueue(gateway);
    await runtime.catalog.createRepository({ name: 'woken', source: { type: 'local', path: await largerFixture(0) } });
    const stop = new AbortController();
    const worker = runtime.indexer.runWorker(stop.signal);
    try {
      await sleep(500); // the worker has looked at the empty queue and sleeps
      const { job } = await gatewayQueue.enqueue('woken', 'sync');
      await waitUntil(async () => (await runtime.queue.get(job.id)).state === 'succeeded', 60_000, 'the first job');

      const { rows } = await gateway.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
         WHERE datname = current_database() AND application_name LIKE '%-listen'`,
      );
      assert.equal(rows.length, 1, 'one LISTEN connection per worker process');
      await sleep(1_500); // it reconnects with backoff
      const { job: next } = await gatewayQueue.enqueue('woken', 'full');
      await waitUntil(async () => (await runtime.queue.get(next.id)).state === 'succeeded', 60_000, 'the second job');
    } finally {
      stop.abort();
      await worker;
    }
  });

  it('periodic sync: replicas scheduling at once queue one sync per due repository', async () => {
    const first = await createTestRuntime(postgres, chroma, embedder, {
      workerId: 'scheduler-1',
      syncIntervalSeconds: 1,
      concurrency: 1,
    });
    runtimes.push(first);
    await first.catalog.createRepository({ name: 'periodic', source: { type: 'local', path: await largerFixture(0) } });
    // Two schedulers race (no worker claims: the queue is only observed).
    const due = await Promise.all([first.queue.enqueueDueSyncs(1), first.queue.enqueueDueSyncs(1)]);
    assert.equal(due[0] + due[1], 1);
    const stop = new AbortController();
    const worker = first.indexer.runWorker(stop.signal);
    try {
      await waitUntil(
        async () => (await first.queue.list({ repository: 'periodic', states: ['succeeded'] })).length >= 2,
        60_000,
        'a second, periodic sync after the first one',
      );
    } finally {
      stop.abort();
      await worker;
    }
    const jobs = await first.queue.list({ repository: 'periodic' });
    assert.ok(jobs.every((job) => job.kind === 'sync' && job.state !== 'failed'));
  });
});
