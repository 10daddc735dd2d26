/**
 * Composition root of the search gateway: config → logger, metrics, the catalog database (migrated), the query
 * embedder, stores → services → app, listening on PORT (3002). SIGTERM drains requests, then closes the stores.
 */
import { createEmbedder } from '../../core/src/adapters/embedder/create-embedder.js';
import { terminalDownloadProgress } from '../../core/src/adapters/embedder/terminal-download-progress.js';
import { loadConfig } from '../../core/src/config/load-config.js';
import { migrate } from '../../core/src/db/migrate.js';
import { openDatabase } from '../../core/src/db/open-database.js';
import { startServer } from '../../core/src/http/server.js';
import { createLoggerFromConfig } from '../../core/src/logging.js';
import { createMetrics } from '../../core/src/metrics.js';
import { createGatewayRuntime } from './gateway-runtime.js';
import { runMain } from '../../core/src/entrypoint.js';

await runMain('search-gateway', async () => {
  const config = loadConfig(process.env);
  const logger = createLoggerFromConfig(config, 'search-gateway');
  const metrics = createMetrics('search-gateway');
  const sql = await openDatabase(config, 'myragdb-search-gateway');
  await migrate(sql);
  // Queries must land in the indexer's vector space, so the gateway uses the same configured provider, on one
  // worker thread: queries queued behind a busy worker share its next call.
  const progress = terminalDownloadProgress('embedding model');
  const embedder = await createEmbedder(config, { logger, ...(progress ? { progress } : {}) }, 'search');
  const runtime = await createGatewayRuntime({ config, sql, embedder, logger, metrics });

  await startServer({
    app: runtime.app,
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    closers: [
      { name: 'postgres', close: () => sql.close() },
      { name: 'embedder', close: () => embedder.close() },
      { name: 'stores', close: () => runtime.close() },
    ],
  });
});
