/**
 * An indexer worker in its own process, so a test can SIGKILL it mid-job like a crashed pod.
 * Env: DATABASE_URL, CHROMA_URL, COLLECTION_PREFIX, WORKER_ID.
 */
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { createIndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import { defaultTestEmbedder } from './default-embedder.js';
import { quietLogger } from './indexer-fixture.js';

const config = loadConfig({ ...process.env, INDEXER_SYNC_INTERVAL_SECONDS: '0' });
const sql = new PgSqlDatabase({ url: config.DATABASE_URL!, poolSize: 2 });
const runtime = await createIndexerRuntime({
  config,
  sql,
  embedder: await defaultTestEmbedder(),
  logger: quietLogger,
  collectionPrefix: process.env.COLLECTION_PREFIX!,
  overrides: {
    workerId: process.env.WORKER_ID!,
    leaseMs: 1_500,
    pollIntervalMs: 50,
    fileBatchSize: 4,
    embedBatchSize: 4,
  },
});
await runtime.indexer.runWorker(new AbortController().signal);
