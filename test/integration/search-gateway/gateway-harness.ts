/**
 * A real search gateway for integration tests: migrated PostgreSQL, a Chroma server of its own (so a test may kill
 * it), the offline USE-lite embedder, the fixture repository registered through the API and indexed by the real
 * indexer worker. Nothing is faked: the suite talks HTTP (supertest) to the app `myragdb up` and main.ts serve.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { UseLiteEmbedder } from '../../../services/core/src/adapters/embedder/use-lite.embedder.js';
import { type AppConfig, loadConfig } from '../../../services/core/src/config/load-config.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { createIndexerRuntime, type IndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import { createLogger, type Logger } from '../../../services/core/src/logging.js';
import { createMetrics } from '../../../services/core/src/metrics.js';
import type { SqlDatabase } from '../../../services/core/src/ports/sql-database.js';
import { createGatewayRuntime, type GatewayRuntime } from '../../../services/search-gateway/src/gateway-runtime.js';
import { type ChromaServer, startChromaServer } from '../../support/chroma.js';
import { createFixtureRepository, type FixtureRepository } from '../../support/fixture-repository.js';
import { registerTeardown } from '../../support/hooks.js';
import { usePostgres } from '../../support/postgres.js';
import type { Stores } from '../../../services/core/src/stores/open-stores.js';

export const ADMIN_KEY = 'integration-admin-key-6f1e0c9a7b3d45e2a8c1';
export const FIXTURE = 'fixture';

export interface GatewayHarness {
  readonly sql: SqlDatabase;
  readonly databaseUrl: string | undefined;
  readonly chroma: ChromaServer;
  readonly embedder: UseLiteEmbedder;
  readonly logger: Logger;
  readonly fixture: FixtureRepository;
  readonly gateway: GatewayRuntime;
  readonly indexer: IndexerRuntime;
  readonly collectionPrefix: string;
  /** Builds the config the way main.ts does, from environment variables. */
  config(overrides?: Record<string, string>): AppConfig;
  /** Another gateway on the same database and stores, e.g. with tight rate limits. */
  gatewayWith(overrides: Record<string, string>, stores?: Stores): Promise<GatewayRuntime>;
  /** Polls the repository status until it is ready with every vector written. */
  waitUntilIndexed(name: string, previousLastIndexedAt?: string | null): Promise<Record<string, unknown>>;
}

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

export function useGateway(): GatewayHarness {
  const postgres = usePostgres({ setup: (sql) => migrate(sql).then(() => undefined) });
  let state: Omit<GatewayHarness, 'sql' | 'databaseUrl' | 'config' | 'gatewayWith' | 'waitUntilIndexed'> | undefined;
  let dataDir: string;
  const stopWorker = new AbortController();
  let worker: Promise<void> | undefined;
  const extra: GatewayRuntime[] = [];

  const config = (overrides: Record<string, string> = {}) =>
    loadConfig({
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'error',
      CHROMA_URL: state?.chroma.url ?? '',
      MYRAGDB_API_KEY: ADMIN_KEY,
      MYRAGDB_DATA_DIR: dataDir,
      MYRAGDB_ALLOWED_ROOTS: state ? dirname(state.fixture.root) : tmpdir(),
      REQUEST_SIZE_LIMIT: '64kb',
      INDEXER_SYNC_INTERVAL_SECONDS: '0',
      ...overrides,
    });

  const harness: GatewayHarness = {
    get sql() {
      return postgres.sql;
    },
    get databaseUrl() {
      return postgres.url;
    },
    config,
    async gatewayWith(overrides, stores) {
      const runtime = await createGatewayRuntime({
        config: config(overrides),
        sql: postgres.sql,
        embedder: need().embedder,
        logger: need().logger,
        metrics: createMetrics('search-gateway'),
        collectionPrefix: need().collectionPrefix,
        ...(stores ? { stores } : {}),
      });
      extra.push(runtime);
      return runtime;
    },
    async waitUntilIndexed(name, previousLastIndexedAt = null) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const response = await request(need().gateway.app)
          .get(`/api/v1/repositories/${name}`)
          .set('Authorization', `Bearer ${ADMIN_KEY}`);
        const body = response.body as Record<string, unknown>;
        if (body.status === 'error') throw new Error(`indexing ${name} failed: ${String(body.error)}`);
        if (body.status === 'ready' && body.vectorsPending === 0 && body.lastIndexedAt !== previousLastIndexedAt)
          return body;
        if (Date.now() > deadline) throw new Error(`repository ${name} not indexed in time: ${JSON.stringify(body)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  } as GatewayHarness; // the store getters are defined just below

  const need = () => {
    if (!state) throw new Error('useGateway: only available inside tests');
    return state;
  };
  for (const key of ['chroma', 'embedder', 'logger', 'fixture', 'gateway', 'indexer', 'collectionPrefix'] as const) {
    Object.defineProperty(harness, key, { get: () => need()[key] });
  }

  before(async function () {
    this.timeout(180_000);
    dataDir = await mkdtemp(join(tmpdir(), 'myragdb-gateway-data-'));
    registerTeardown(() => rm(dataDir, { recursive: true, force: true }));
    const chroma = await startChromaServer();
    registerTeardown(() => chroma.stop());
    const embedder = new UseLiteEmbedder({ workers: 1 });
    await embedder.start();
    const logger = createLogger({ service: 'search-gateway-test', level: 'error', format: 'json', stream: silent });
    const fixture = await createFixtureRepository();
    const collectionPrefix = 'gw_';
    state = { chroma, embedder, logger, fixture, collectionPrefix } as typeof state;
    const appConfig = config();
    const gateway = await createGatewayRuntime({
      config: appConfig,
      sql: postgres.sql,
      embedder,
      logger,
      metrics: createMetrics('search-gateway'),
      collectionPrefix,
    });
    const indexer = await createIndexerRuntime({
      config: appConfig,
      sql: postgres.sql,
      embedder,
      logger,
      collectionPrefix,
      overrides: { pollIntervalMs: 100 },
    });
    state = { ...state!, gateway, indexer };
    worker = indexer.indexer.runWorker(stopWorker.signal);

    await request(gateway.app)
      .post('/api/v1/repositories')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ name: FIXTURE, source: { type: 'local', path: fixture.root }, maxFileBytes: 65_536 })
      .expect(201);
    await harness.waitUntilIndexed(FIXTURE);
  });

  after(async function () {
    this.timeout(60_000);
    stopWorker.abort();
    await worker;
    for (const runtime of extra.splice(0)) await runtime.close();
    await state?.gateway?.close();
    await state?.indexer?.close();
    await state?.embedder?.close();
    state = undefined;
  });

  return harness;
}
