/**
 * Composition root of the search gateway: config → logger, metrics, the catalog database (migrated), the query
 * embedder, stores → services → app, listening on PORT (3002). SIGTERM drains requests, then closes the stores.
 */
import { UseLiteEmbedder } from '../../core/src/adapters/embedder/use-lite.embedder.js';
import { loadConfig } from '../../core/src/config/load-config.js';
import { migrate } from '../../core/src/db/migrate.js';
import { openDatabase } from '../../core/src/db/open-database.js';
import { ConfigError } from '../../core/src/errors.js';
import { startServer } from '../../core/src/http/server.js';
import { createLoggerFromConfig } from '../../core/src/logging.js';
import { createMetrics } from '../../core/src/metrics.js';
import { createGatewayRuntime } from './gateway-runtime.js';

const config = loadConfig(process.env);
const logger = createLoggerFromConfig(config, 'search-gateway');
if (config.EMBEDDING_PROVIDER !== 'local') {
  throw new ConfigError(`EMBEDDING_PROVIDER=${config.EMBEDDING_PROVIDER} is not wired into the search gateway yet`);
}
const metrics = createMetrics('search-gateway');
const sql = await openDatabase(config, 'myragdb-search-gateway');
await migrate(sql);
// One worker: the gateway embeds one short query at a time, and each worker holds its own copy of the model.
const embedder = new UseLiteEmbedder({ workers: 1 });
await embedder.start();
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
