import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PgSqlDatabase } from '../adapters/sql-database/pg.sql-database.js';
import { PgliteSqlDatabase } from '../adapters/sql-database/pglite.sql-database.js';
import type { AppConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import type { SqlDatabase } from '../ports/sql-database.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';

export type DatabaseConfig = Pick<
  AppConfig,
  'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DATABASE_MAX_OVERFLOW' | 'MYRAGDB_DATA_DIR'
>;

/** Where the embedded database lives inside the data dir (local mode and the CLI must agree). */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(resolve(dataDir), 'pglite');
}

export interface OpenDatabaseOptions {
  /** Receives the embedded data dir's lock (held until the database closes), e.g. to advertise a gateway URL. */
  onDataDirLock?(lock: DataDirLock): void;
}

/**
 * The catalog database: PostgreSQL at DATABASE_URL, or embedded PGlite in MYRAGDB_DATA_DIR when it is unset.
 * PGlite is one process's database: the data dir is locked while it is open, and a second process gets
 * `DataDirInUseError` instead of a diverging copy.
 */
export async function openDatabase(
  config: DatabaseConfig,
  applicationName: string,
  options: OpenDatabaseOptions = {},
): Promise<SqlDatabase> {
  if (config.DATABASE_URL) {
    return new PgSqlDatabase({
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      maxOverflow: config.DATABASE_MAX_OVERFLOW,
      applicationName,
    });
  }
  const dataDir = embeddedDatabaseDir(config.MYRAGDB_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(resolve(config.MYRAGDB_DATA_DIR), (error) => {
    process.emitWarning(`the lock on ${config.MYRAGDB_DATA_DIR} was lost: ${error.message}`);
  });
  let database: PgliteSqlDatabase;
  try {
    database = await PgliteSqlDatabase.open({ dataDir });
  } catch (error) {
    await lock.release();
    throw error;
  }
  options.onDataDirLock?.(lock);
  return {
    dialect: database.dialect,
    query: (text, params) => database.query(text, params),
    transaction: (work) => database.transaction(work),
    listen: (channel, onNotify) => database.listen(channel, onNotify),
    close: async () => {
      try {
        await database.close();
      } finally {
        await lock.release();
      }
    },
  };
}

/**
 * DATABASE_URL of a service that must share the PostgreSQL server with the others: PGlite belongs to one process,
 * so only `myragdb up`, which hosts every service itself, may run without it.
 */
export function sharedDatabaseUrl(config: Pick<AppConfig, 'DATABASE_URL'>, service: string, reason: string): string {
  if (!config.DATABASE_URL) {
    throw new ConfigError(`DATABASE_URL: required by the ${service} service (${reason})`);
  }
  return config.DATABASE_URL;
}
