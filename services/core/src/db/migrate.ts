import { fileURLToPath } from 'node:url';
import { runner, type RunnerOption } from 'node-pg-migrate';
import type { SqlDatabase, SqlQueryable } from '../ports/sql-database.js';

/** services/core/migrations, next to src/ in a checkout and next to the compiled src/ in dist. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
const MIGRATIONS_TABLE = 'schema_migrations';
// Any constant works as long as every replica uses the same one; this is node-pg-migrate's own lock id.
const MIGRATION_LOCK_ID = 7241865325823964;
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\s*;?\s*$/i;

export interface MigrateOptions {
  direction?: 'up' | 'down';
  /** How many migrations to apply (down: to revert); all pending by default for `up`, one for `down`. */
  count?: number;
  /** Receives node-pg-migrate's progress lines; silent by default. */
  log?: (message: string) => void;
}

/**
 * node-pg-migrate's client, bound to one transaction. node-pg-migrate opens and commits its own transaction on the
 * client it is given; here the caller's transaction is the one that counts (so the same code drives a pg
 * connection and PGlite), and node-pg-migrate's BEGIN/COMMIT/ROLLBACK are absorbed.
 */
function migrationClient(tx: SqlQueryable) {
  return {
    query: async (text: string, values?: unknown[]) => {
      if (TRANSACTION_CONTROL.test(text)) return { rows: [], rowCount: 0 };
      return tx.query(text, values);
    },
  };
}

/**
 * Applies services/core/migrations (node-pg-migrate SQL files) in one transaction under a transaction-scoped advisory
 * lock, so replicas starting together migrate once and a failing migration leaves the schema as it was.
 * Returns the names of the migrations it ran.
 */
export async function migrate(sql: SqlDatabase, options: MigrateOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    const runnerOptions: RunnerOption = {
      // node-pg-migrate types its client as pg's ClientBase; it only ever calls `query(text, values)`.
      dbClient: migrationClient(tx) as unknown as Extract<RunnerOption, { dbClient: unknown }>['dbClient'],
      dir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction: options.direction ?? 'up',
      ...(options.count !== undefined ? { count: options.count } : {}),
      singleTransaction: true,
      noLock: true,
      checkOrder: true,
      logger: { debug: log, info: log, warn: log, error: log },
    };
    const ran = await runner(runnerOptions);
    return ran.map((migration) => migration.name);
  });
}
