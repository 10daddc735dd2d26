import { PGlite, type Results, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SqlDatabase, SqlQueryable, SqlResult } from '../../ports/sql-database.js';
import { translateSqlError } from './sql-errors.js';

export interface PgliteSqlDatabaseOptions {
  /** Directory for a persistent database (local mode); omitted means in memory. */
  dataDir?: string;
}

async function run<Row>(
  target: PGlite | Transaction,
  text: string,
  params?: readonly unknown[],
): Promise<SqlResult<Row>> {
  try {
    // PGlite's `query` is extended protocol (one statement); `exec` takes scripts but no parameters.
    const result: Results<Row> | undefined =
      params === undefined
        ? ((await target.exec(text)).at(-1) as Results<Row> | undefined)
        : await target.query<Row>(text, [...params]);
    const rows = result?.rows ?? [];
    return { rows, rowCount: result?.affectedRows || rows.length };
  } catch (error) {
    return translateSqlError(error);
  }
}

/** `SqlDatabase` over embedded PGlite (PostgreSQL in WASM, one connection) with `pg_trgm` loaded. */
export class PgliteSqlDatabase implements SqlDatabase {
  readonly dialect = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(options: PgliteSqlDatabaseOptions = {}): Promise<PgliteSqlDatabase> {
    const db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      extensions: { pg_trgm },
    });
    return new PgliteSqlDatabase(db);
  }

  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
    return run<Row>(this.db, text, params);
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction((tx) => work({ query: (text, params) => run(tx, text, params) }));
    } catch (error) {
      return translateSqlError(error);
    }
  }

  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    // One in-process instance: every NOTIFY is delivered, nothing to reconnect.
    return this.db.listen(channel, () => onNotify());
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
