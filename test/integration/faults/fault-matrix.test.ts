/**
 * The fault matrix: one installation with stores of its own (a PostgreSQL cluster, Chroma and Meilisearch
 * processes), the gateway and indexer workers, under 4 clients of hybrid search, while each store in turn is paused,
 * killed or restarted and an indexer process is killed mid-job. For each fault it counts the searches answered in
 * full, degraded (one leg missing) and failed, and the seconds from the store's return until searches are whole
 * again; afterwards no chunk is lost or duplicated (catalog, Meilisearch and Chroma hold the same ids). The table
 * it prints is the README's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { UseLiteEmbedder } from '../../../services/core/src/adapters/embedder/use-lite.embedder.js';
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { createLogger } from '../../../services/core/src/logging.js';
import { createMetrics } from '../../../services/core/src/metrics.js';
import { createIndexerRuntime, type IndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import type { SearchResponse } from '../../../services/search-gateway/src/api/search.schemas.js';
import { createGatewayRuntime, type GatewayRuntime } from '../../../services/search-gateway/src/gateway-runtime.js';
import { chromaClient, startChromaServer, type ChromaServer } from '../../support/chroma.js';
import { createFixtureRepository, QUERY_TS } from '../../support/fixture-repository.js';
import { registerTeardown } from '../../support/hooks.js';
import {
  requireMeilisearchBinary,
  startMeilisearchServer,
  type MeilisearchProcess,
} from '../../support/meilisearch.js';
import { createPostgresCluster, type PostgresCluster } from '../../support/postgres-cluster.js';

const ADMIN_KEY = 'fault-matrix-admin-key-2b7c9e1f5a3d4c6e8f0a';
const REPOSITORY = 'faulty';
const COLLECTION_PREFIX = 'faults_';
const FAULT_SECONDS = 5;

interface Answer {
  at: number;
  status: number;
  degraded: string[];
}

interface FaultRow {
  fault: string;
  searches: number;
  whole: number;
  degraded: number;
  failed: number;
  failedStatuses: number[];
  recoverySeconds: number;
}

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('fault matrix: stores paused, killed and restarted, an indexer killed, under search load', function () {
  this.timeout(900_000);
  before(function () {
    requireMeilisearchBinary(this);
  });

  let pg: PostgresCluster;
  let sql: PgSqlDatabase;
  let chroma: ChromaServer;
  let meili: MeilisearchProcess;
  /** The gateway's, for queries. */
  let embedder: UseLiteEmbedder;
  /**
   * The in-process indexer's own, as in every deployment (`myragdb up` too): sharing the gateway's, four clients of
   * searches kept its one worker busy with queries and starved the resumed job (seen once: 180 s without finishing).
   */
  let indexingEmbedder: UseLiteEmbedder;
  let gateway: GatewayRuntime;
  let fixtureRoot: string;
  let environment: Record<string, string>;
  const logger = createLogger({ service: 'fault-matrix', level: 'error', format: 'json', stream: silent });
  const answers: Answer[] = [];
  const rows: FaultRow[] = [];
  let stopLoad: (() => Promise<void>) | undefined;

  const search = (query: string) =>
    request(gateway.app)
      .post('/api/v1/search')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ query, mode: 'hybrid', limit: 5 });

  const indexerRuntime = (overrides: Record<string, string> = {}): Promise<IndexerRuntime> =>
    createIndexerRuntime({
      config: loadConfig({ ...environment, ...overrides }),
      sql,
      embedder: indexingEmbedder,
      logger,
      collectionPrefix: COLLECTION_PREFIX,
      overrides: { leaseMs: 2_000, pollIntervalMs: 500, workerId: 'survivor' },
    });

  const jobState = async (id: string) =>
    (await request(gateway.app).get(`/api/v1/jobs/${id}`).set('Authorization', `Bearer ${ADMIN_KEY}`)).body as {
      state: string;
      progress?: { chunksWritten?: number };
      error?: unknown;
    };
  /** True once the job succeeded; a job that ended otherwise fails the test at once, with its error. */
  const succeeded = async (id: string) => {
    const job = await jobState(id);
    if (job.state === 'failed' || job.state === 'cancelled')
      throw new Error(`job ${job.state}: ${JSON.stringify(job)}`);
    return job.state === 'succeeded';
  };

  /** Runs an in-process indexer worker until the job succeeded. */
  const runUntilSucceeded = async (jobId: string, what: string) => {
    const runtime = await indexerRuntime();
    const stop = new AbortController();
    const worker = runtime.indexer.runWorker(stop.signal);
    try {
      const deadline = Date.now() + 180_000;
      while (!(await succeeded(jobId))) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await jobState(jobId))}`);
        }
        await sleep(250);
      }
    } finally {
      stop.abort();
      await worker;
      await runtime.close();
    }
  };

  before(async function () {
    this.timeout(300_000);
    pg = await createPostgresCluster();
    await pg.start();
    sql = new PgSqlDatabase({ url: pg.url, poolSize: 8, connectionTimeoutMs: 2_000 });
    registerTeardown(() => sql.close());
    await migrate(sql);
    chroma = await startChromaServer();
    registerTeardown(async () => {
      await chroma.stop();
      await rm(chroma.dataDir!, { recursive: true, force: true });
    });
    meili = await startMeilisearchServer();
    registerTeardown(() => meili.stop());
    embedder = new UseLiteEmbedder({ workers: 1 });
    await embedder.start();
    registerTeardown(() => embedder.close());
    indexingEmbedder = new UseLiteEmbedder({ workers: 1 });
    await indexingEmbedder.start();
    registerTeardown(() => indexingEmbedder.close());
    const fixture = await createFixtureRepository();
    fixtureRoot = fixture.root;
    for (let index = 0; index < 30; index++) {
      await fixture.write(`src/generated/query-${index}.ts`, QUERY_TS.replaceAll('Query', `Query${index}`));
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'myragdb-faults-'));
    registerTeardown(() => rm(dataDir, { recursive: true, force: true }));
    environment = {
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'error',
      MYRAGDB_API_KEY: ADMIN_KEY,
      MYRAGDB_DATA_DIR: dataDir,
      MYRAGDB_ALLOWED_ROOTS: dirname(fixtureRoot),
      CHROMA_URL: chroma.url,
      KEYWORD_ENGINE: 'meilisearch',
      MEILI_URL: meili.url,
      MEILI_API_KEY: meili.apiKey,
      MEILI_INDEX_PREFIX: 'faults_',
      INDEXER_SYNC_INTERVAL_SECONDS: '0',
      SEARCH_CACHE_MAX_ENTRIES: '0',
      SEARCH_LEG_TIMEOUT_MS: '2000',
      // Four clients on one IP sending thousands of searches: no limit may answer them.
      RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
      RATE_LIMIT_REQUESTS_PER_HOUR: '10000000',
      RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '1000000',
      RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR: '10000000',
      RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: '1000000',
    };
    gateway = await createGatewayRuntime({
      config: loadConfig(environment),
      sql,
      embedder,
      logger,
      metrics: createMetrics('search-gateway'),
      collectionPrefix: COLLECTION_PREFIX,
    });
    registerTeardown(() => gateway.close());
    const created = await request(gateway.app)
      .post('/api/v1/repositories')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ name: REPOSITORY, source: { type: 'local', path: fixtureRoot } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const jobId = (created.body as { job: { id: string } }).job.id;
    await runUntilSucceeded(jobId, 'the first index');

    let stopped = false;
    const queries = ['parseQuery', 'how are refunds issued?', 'Query7 tokenizer', 'where is the search query parsed'];
    const loops = Array.from({ length: 4 }, async (_, client) => {
      for (let round = 0; !stopped; round++) {
        const response = await search(queries[(round + client) % queries.length]!);
        const body = response.body as SearchResponse;
        answers.push({ at: performance.now(), status: response.status, degraded: body.degraded ?? [] });
      }
    });
    stopLoad = async () => {
      stopped = true;
      await Promise.all(loops);
    };
  });

  after(async () => {
    await stopLoad?.();
    if (rows.length > 0) {
      const table = rows.map(
        (row) =>
          `| ${row.fault} | ${row.searches} | ${row.whole} | ${row.degraded} | ${row.failed}${row.failedStatuses.length > 0 ? ` (${[...new Set(row.failedStatuses)].join(', ')})` : ''} | ${row.recoverySeconds.toFixed(1)} |`,
      );
      console.log(
        [
          '',
          '| fault (4 clients of hybrid search) | searches | whole | degraded | failed | recovery s |',
          '|---|---|---|---|---|---|',
          ...table,
        ].join('\n'),
      );
    }
  });

  /**
   * Injects a fault, holds it FAULT_SECONDS, restores, and waits until a search is whole again; returns the row,
   * whose recovery counts from the restore.
   */
  const underFault = async (fault: string, inject: () => Promise<void>, restore: () => Promise<void>) => {
    const started = performance.now();
    await inject();
    await sleep(FAULT_SECONDS * 1000);
    await restore();
    const restored = performance.now();
    const deadline = restored + 120_000;
    for (;;) {
      const probe = await search('parseQuery');
      if (probe.status === 200 && (probe.body as SearchResponse).degraded === undefined) break;
      assert.ok(performance.now() < deadline, `${fault}: searches not whole 120 s after the restore`);
      await sleep(250);
    }
    return record(fault, started, restored, performance.now());
  };

  /** The table row of one fault: the searches answered from `started` to `ended`, recovery from `restored`. */
  const record = (fault: string, started: number, restored: number, ended: number): FaultRow => {
    const during = answers.filter((answer) => answer.at >= started && answer.at <= ended);
    const failed = during.filter((answer) => answer.status !== 200);
    const row: FaultRow = {
      fault,
      searches: during.length,
      whole: during.filter((answer) => answer.status === 200 && answer.degraded.length === 0).length,
      degraded: during.filter((answer) => answer.status === 200 && answer.degraded.length > 0).length,
      failed: failed.length,
      failedStatuses: failed.map((answer) => answer.status),
      recoverySeconds: (ended - restored) / 1000,
    };
    rows.push(row);
    return row;
  };

  it('Chroma paused (SIGSTOP): searches degrade to the keyword leg, none fails', async () => {
    const row = await underFault(
      `Chroma paused ${FAULT_SECONDS} s`,
      async () => void chroma.process!.kill('SIGSTOP'),
      async () => void chroma.process!.kill('SIGCONT'),
    );
    assert.equal(row.failed, 0);
    assert.ok(row.degraded > 0, 'some searches ran while Chroma did not answer');
  });

  it('Chroma killed and restarted on its data: degraded meanwhile, none fails, vectors intact', async () => {
    const row = await underFault(
      `Chroma killed, restarted after ${FAULT_SECONDS} s`,
      () => chroma.stop(),
      async () => {
        chroma = await startChromaServer({ port: chroma.port!, dataDir: chroma.dataDir! });
      },
    );
    assert.equal(row.failed, 0);
    assert.ok(row.degraded > 0);
  });

  it('Meilisearch killed and restarted on its data: degraded to the vectors, none fails', async () => {
    const row = await underFault(
      `Meilisearch killed, restarted after ${FAULT_SECONDS} s`,
      () => meili.kill('SIGKILL'),
      async () => {
        meili = await startMeilisearchServer({ port: meili.port, dbPath: meili.dbPath, masterKey: meili.apiKey });
      },
    );
    assert.equal(row.failed, 0);
    assert.ok(row.degraded > 0);
  });

  it('PostgreSQL restarted: searches fail with 503 only while it is down, then answer without a restart', async () => {
    const row = await underFault(
      `PostgreSQL stopped, started after ${FAULT_SECONDS} s`,
      () => pg.stop(),
      () => pg.start(),
    );
    assert.ok(row.failed > 0, 'the catalog is the source of truth: no search can answer without it');
    assert.deepEqual([...new Set(row.failedStatuses)], [503], 'a dependency error, never a 500');
  });

  it('an indexer process killed mid-job: another worker finishes it, searches never fail', async () => {
    for (let index = 30; index < 70; index++) {
      await writeFile(
        join(fixtureRoot, `src/generated/query-${index}.ts`),
        QUERY_TS.replaceAll('Query', `Query${index}`),
      );
    }
    const reindex = await request(gateway.app)
      .post('/api/v1/reindex')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ repositories: [REPOSITORY] });
    assert.equal(reindex.status, 202, JSON.stringify(reindex.body));
    const jobId = (reindex.body as { jobs: { id: string }[] }).jobs[0]!.id;
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/indexer/worker-child.ts'], {
      env: {
        ...process.env,
        ...environment,
        DATABASE_URL: pg.url,
        COLLECTION_PREFIX,
        WORKER_ID: 'doomed',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const job = await jobState(jobId);
        // Only the child runs a worker now, so a running job with chunks written is its, part way through.
        if (job.state === 'running' && (job.progress?.chunksWritten ?? 0) > 0) break;
        assert.ok(Date.now() < deadline, `the child worker never got part way: ${JSON.stringify(job)}`);
        await sleep(100);
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const killed = performance.now();
    await runUntilSucceeded(jobId, 'the resumed job');
    const row = record(
      'indexer process killed mid-job (recovery: until another worker finished it)',
      started,
      killed,
      performance.now(),
    );
    assert.equal(row.failed, 0);
  });

  it('afterwards no chunk is lost or duplicated: catalog, Meilisearch and Chroma hold the same ids', async () => {
    await stopLoad?.();
    const { rows: catalog } = await sql.query<{ id: string }>(
      'SELECT id FROM chunks WHERE repository = $1 ORDER BY id',
      [REPOSITORY],
    );
    const ids = catalog.map((row) => row.id);
    assert.ok(ids.length > 70, `${ids.length} chunks`);
    const runtime = await indexerRuntime();
    try {
      const keyword = await runtime.keywordIndex.documentIds(REPOSITORY);
      assert.deepEqual([...keyword].sort(), ids, 'Meilisearch = catalog');
    } finally {
      await runtime.close();
    }
    const client = chromaClient(chroma.url);
    const vectors: string[] = [];
    for (const collection of await client.listCollections({ limit: 10_000 })) {
      if (!collection.name.startsWith(COLLECTION_PREFIX)) continue;
      vectors.push(...(await collection.get({ include: [] })).ids);
    }
    assert.deepEqual(vectors.sort(), ids, 'Chroma = catalog');
  });
});
