import { ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';
import type { SqlQueryable } from '../../../core/src/ports/sql-database.js';
import type { ComponentCheck, ProbeResult } from './component-check.js';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface PostgresProbeData {
  /** Connections to this database by state (active, idle, idle in transaction…), from pg_stat_activity. */
  connectionsByState: Record<string, number>;
}

export interface PostgresCheckOptions {
  name?: string;
  sql: SqlQueryable;
  /** Pool of the process' own connections, when the SQL port runs on a pool. */
  poolStats?: () => PoolStats;
  /** Connections in use above this share of max_connections degrade the component. */
  connectionWarnRatio?: number;
}

/** PostgreSQL: `SELECT 1`, then connection counts from pg_stat_activity against max_connections. */
export class PostgresCheck implements ComponentCheck<PostgresProbeData> {
  readonly name: string;
  readonly kind = ComponentKind.POSTGRES;

  constructor(private readonly options: PostgresCheckOptions) {
    this.name = options.name ?? 'postgres';
  }

  async probe(): Promise<ProbeResult<PostgresProbeData>> {
    const { sql } = this.options;
    await sql.query('SELECT 1');
    const [activity, settings] = await Promise.all([
      sql.query<{ state: string | null; count: string | number }>(
        `SELECT coalesce(state, 'unknown') AS state, count(*) AS count
           FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1`,
      ),
      sql.query<{ max_connections: string }>(`SELECT current_setting('max_connections') AS max_connections`),
    ]);
    const connectionsByState = Object.fromEntries(
      activity.rows.map((row) => [row.state ?? 'unknown', Number(row.count)]),
    );
    const connections = Object.values(connectionsByState).reduce((sum, count) => sum + count, 0);
    const maxConnections = Number(settings.rows[0]?.max_connections ?? 0);
    const pool = this.options.poolStats?.();
    const warnRatio = this.options.connectionWarnRatio ?? 0.9;
    const crowded = maxConnections > 0 && connections / maxConnections >= warnRatio;
    return {
      status: crowded ? HealthStatus.DEGRADED : HealthStatus.HEALTHY,
      message: crowded
        ? `${connections} of ${maxConnections} connections in use`
        : `reachable, ${connections} connection(s) of ${maxConnections}`,
      details: {
        connections,
        max_connections: maxConnections,
        connections_by_state: connectionsByState,
        ...(pool ? { pool } : {}),
      },
      data: { connectionsByState },
    };
  }
}
