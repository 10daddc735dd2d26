/**
 * The small SQL surface the catalog, the job queue and the Postgres keyword index need, so the same code runs on a
 * node-postgres pool (servers) and on embedded PGlite (laptops, one process).
 */
export interface SqlResult<Row> {
  rows: Row[];
  /** Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
  rowCount: number;
}

export interface SqlQueryable {
  /**
   * One statement with `$1…` parameters. Without parameters the text may hold several statements (simple protocol);
   * the result is then the last statement's.
   */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
}

export interface SqlDatabase extends SqlQueryable {
  readonly dialect: 'postgres' | 'pglite';
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for every `NOTIFY channel` from any session; resolves to the function that stops listening.
   * A listener that lost its connection reconnects and then calls `onNotify` once, because notifications sent
   * meanwhile are lost: callers treat a notification as "look again", never as the data itself.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
