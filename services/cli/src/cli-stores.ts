import { PostgresCatalog } from '../../core/src/adapters/catalog/postgres.catalog.js';
import { PostgresJobQueue } from '../../core/src/adapters/job-queue/postgres.job-queue.js';
import { loadConfig, type AppConfig } from '../../core/src/config/load-config.js';
import { migrate } from '../../core/src/db/migrate.js';
import { openDatabase } from '../../core/src/db/open-database.js';
import type { SqlDatabase } from '../../core/src/ports/sql-database.js';
import { createCredentialCipher } from '../../core/src/security/credential-cipher.js';
import { summarizeRepositoryStatus } from '../../core/src/domain/repository-status.js';

/**
 * What the repository and indexing commands work on: the catalog database itself, the one every indexer replica
 * shares (DATABASE_URL), or the embedded one in MYRAGDB_DATA_DIR. Talking to the database rather than to the
 * gateway lets `myragdb reindex --wait` run as a Kubernetes Job with nothing but DATABASE_URL.
 */
export interface CliStores {
  config: AppConfig;
  sql: SqlDatabase;
  catalog: PostgresCatalog;
  queue: PostgresJobQueue;
  close(): Promise<void>;
}

export async function openCliStores(env: NodeJS.ProcessEnv = process.env): Promise<CliStores> {
  const config = loadConfig(env);
  const sql = await openDatabase(config, 'myragdb-cli');
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  const catalog = new PostgresCatalog(
    sql,
    config.AUTH_ENCRYPTION_KEY ? { cipher: createCredentialCipher(config.AUTH_ENCRYPTION_KEY) } : {},
  );
  const queue = new PostgresJobQueue(sql);
  return { config, sql, catalog, queue, close: () => sql.close() };
}

/** Opens the stores for one command and always closes them, whatever the command does. */
export async function withCliStores<T>(work: (stores: CliStores) => Promise<T>): Promise<T> {
  const stores = await openCliStores();
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

/** Status of one repository as `repo list` and `index status` show it, with the catalog stats behind it. */
export async function repositoryStatus(stores: Pick<CliStores, 'catalog' | 'queue'>, name: string) {
  const [stats, active] = await Promise.all([
    stores.catalog.stats(name),
    stores.queue.list({ repository: name, states: ['queued', 'running'], limit: 5 }),
  ]);
  return { ...summarizeRepositoryStatus(name, stats, active), stats };
}
