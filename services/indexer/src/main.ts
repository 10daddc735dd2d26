/**
 * Composition root of the indexer service: config → logger, metrics, Postgres (migrated), stores, embedder →
 * workers + periodic scheduler, and an HTTP server for probes and metrics. SIGTERM stops claiming, releases running
 * jobs back to the queue (they resume elsewhere), then closes the stores.
 */
import { createEmbedder } from '../../core/src/adapters/embedder/create-embedder.js';
import { loadConfig } from '../../core/src/config/load-config.js';
import { migrate } from '../../core/src/db/migrate.js';
import { openDatabase, sharedDatabaseUrl } from '../../core/src/db/open-database.js';
import { startServer } from '../../core/src/http/server.js';
import { createIndexerRuntime } from './indexer-runtime.js';
import { createLoggerFromConfig } from '../../core/src/logging.js';
import { createMetrics } from '../../core/src/metrics.js';
import { createApp } from './app.js';
import { runMain } from '../../core/src/entrypoint.js';

await runMain('indexer', async () => {
  const config = loadConfig(process.env);
  const logger = createLoggerFromConfig(config, 'indexer');
  sharedDatabaseUrl(config, 'indexer', 'replicas share the PostgreSQL job queue');
  const metrics = createMetrics('indexer');
  const sql = await openDatabase(config, 'myragdb-indexer');
  await migrate(sql);
  const embedder = await createEmbedder(config, { logger });
  const runtime = await createIndexerRuntime({ config, sql, embedder, logger, metrics });

  const stopWorkers = new AbortController();
  const workers = runtime.indexer.runWorker(stopWorkers.signal);
  logger.info('indexer workers started', {
    worker_id: runtime.indexer.workerId,
    concurrency: config.INDEXER_CONCURRENCY,
    sync_interval_seconds: config.INDEXER_SYNC_INTERVAL_SECONDS,
  });

  await startServer({
    app: createApp({ config, logger, metrics, readiness: runtime.readiness }),
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    closers: [
      { name: 'postgres', close: () => sql.close() },
      { name: 'embedder', close: () => embedder.close() },
      { name: 'stores', close: () => runtime.close() },
      {
        name: 'indexing workers',
        close: async () => {
          stopWorkers.abort();
          await workers;
        },
      },
    ],
  });
});
