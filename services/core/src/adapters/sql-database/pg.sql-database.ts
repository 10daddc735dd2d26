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
  private readonly listeners = new Set<() => Promise<void>>();
  /** One LISTEN connection per channel, shared by every subscriber of this process (`up` has three). */
  private readonly channels = new Map<string, { subscribers: Set<() => void>; opened: Promise<() => Promise<void>> }>();

  constructor(private readonly options: PgSqlDatabaseOptions) {
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

  /**
   * Subscribers of one channel share its LISTEN connection; the last one to stop closes it. Each subscription is its
   * own entry, so the same function subscribed twice is called twice and stopped once per subscription.
   */
  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    let shared = this.channels.get(channel);
    if (!shared) {
      const subscribers = new Set<() => void>();
      const notifyAll = () => [...subscribers].forEach((subscriber) => subscriber());
      shared = { subscribers, opened: this.openListener(channel, notifyAll) };
      this.channels.set(channel, shared);
    }
    const subscription = shared;
    const subscriber = () => onNotify();
    subscription.subscribers.add(subscriber);
    await subscription.opened;
    return async () => {
      if (!subscription.subscribers.delete(subscriber) || subscription.subscribers.size > 0) return;
      if (this.channels.get(channel) === subscription) this.channels.delete(channel);
      await (
        await subscription.opened
      )();
    };
  }

  /**
   * LISTEN holds a connection of its own (a pooled one would go back to the pool and drop it). A lost connection is
   * opened again with backoff, then `onNotify` runs once for what may have been missed.
   */
  private async openListener(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    let current: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let failures = 0;
    let stopped = false;
    const open = async (): Promise<void> => {
      const client = new pg.Client({
        connectionString: this.options.url,
        connectionTimeoutMillis: this.options.connectionTimeoutMs ?? 10_000,
        application_name: `${this.options.applicationName ?? 'myragdb'}-listen`,
      });
      const lost = () => {
        if (current !== client) return;
        current = undefined;
        void client.end().catch(() => undefined);
        if (stopped) return;
        retry = setTimeout(() => void open().then(onNotify, () => undefined), Math.min(30_000, 500 * 2 ** failures++));
      };
      current = client;
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify();
      });
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.connect();
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
        failures = 0;
      } catch (error) {
        lost();
        throw error;
      }
    };
    // The first connection may fail too: it is retried like a lost one, and callers poll meanwhile.
    await open().catch(() => undefined);
    const stop = async () => {
      stopped = true;
      clearTimeout(retry);
      this.listeners.delete(stop);
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    };
    this.listeners.add(stop);
    return stop;
  }

  /** Connections of this process' pool, for the health report. */
  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    this.channels.clear();
    await Promise.all([...this.listeners].map((stop) => stop()));
    if (!this.pool.ended) await this.pool.end();
  }
}
