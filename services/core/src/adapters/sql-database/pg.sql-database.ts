import pg from 'pg';
import type { SqlDatabase, SqlQueryable, SqlResult } from '../../ports/sql-database.js';
import { translateSqlError } from './sql-errors.js';

export interface PgSqlDatabaseOptions {
  url: string;
  /** Connections kept open (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** Extra connections allowed under load (DATABASE_MAX_OVERFLOW); pg.Pool closes them when idle. */
  maxOverflow?: number;
  connectionTimeoutMs?: number;
  applicationName?: string;
}

async function run<Row>(
  client: pg.Pool | pg.PoolClient,
  text: string,
  params?: readonly unknown[],
): Promise<SqlResult<Row>> {
  try {
    // Without values node-postgres uses the simple protocol, so a migration script may hold several statements.
    const result = params === undefined ? await client.query(text) : await client.query(text, [...params]);
    const last = (Array.isArray(result) ? result.at(-1) : result) as pg.QueryResult | undefined;
    return { rows: (last?.rows ?? []) as Row[], rowCount: last?.rowCount ?? 0 };
  } catch (error) {
    return translateSqlError(error);
  }
}

/** `SqlDatabase` over a node-postgres pool. */
export class PgSqlDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(options: PgSqlDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize + (options.maxOverflow ?? 0),
      min: 0,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'myragdb',
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
    return run<Row>(this.pool, text, params);
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return translateSqlError(error);
    }
    const tx: SqlQueryable = { query: (text, params) => run(client, text, params) };
    let broken: unknown;
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that could not roll back is destroyed, never handed to the next caller mid-transaction.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /** Connections of this process' pool, for the health report. */
  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
