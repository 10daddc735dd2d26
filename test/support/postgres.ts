/**
 * Real PostgreSQL for tests, one isolated database per suite (or per test), dropped afterwards even when tests fail.
 * Where the server comes from, in order: testcontainers when a Docker engine is reachable; `PG_URL`; otherwise
 * embedded PGlite for suites that declare they can run on it (`engine: 'any'`), and a loud skip for the rest.
 */
import { randomBytes } from 'node:crypto';
import { PgSqlDatabase } from '../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { PgliteSqlDatabase } from '../../services/core/src/adapters/sql-database/pglite.sql-database.js';
import type { SqlDatabase } from '../../services/core/src/ports/sql-database.js';
import { isDockerReachable } from './docker.js';
import { registerTeardown } from './hooks.js';
import { skipSuite } from './skip.js';

export interface UsePostgresOptions {
  /**
   * `server` (default): a real PostgreSQL server, skipped loudly when none is reachable; `pglite`: always embedded
   * PGlite; `any`: a server when one is reachable, otherwise PGlite.
   */
  engine?: 'server' | 'pglite' | 'any';
  /** `suite` (default): one database for the enclosing `describe`; `test`: a fresh database for every test. */
  isolation?: 'suite' | 'test';
  poolSize?: number;
  /** Prepares each new database (e.g. applies migrations) before the tests see it. */
  setup?: (sql: SqlDatabase) => Promise<void>;
}

export interface PostgresFixture {
  /** The current isolated database; valid inside tests and hooks after the fixture's `before`. */
  readonly sql: SqlDatabase;
  readonly engine: 'postgres' | 'pglite';
  /** Connection string of the isolated database (server engine only): for tests that need a second pool. */
  readonly url: string | undefined;
}

export interface TestDatabase {
  sql: SqlDatabase;
  url: string | undefined;
  drop(): Promise<void>;
}

const DATABASE_PREFIX = 'myragdb_test_';
let serverUrl: Promise<string | undefined> | undefined;
let admin: PgSqlDatabase | undefined;
let counter = 0;

async function startContainer(): Promise<string> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:16-alpine').start();
  registerTeardown(async () => {
    await container.stop();
  });
  return container.getConnectionUri();
}

/** Admin URL of the PostgreSQL server tests use, or undefined when there is none. */
export function postgresServerUrl(): Promise<string | undefined> {
  serverUrl ??= (async () => ((await isDockerReachable()) ? startContainer() : process.env.PG_URL || undefined))();
  return serverUrl;
}

function adminDatabase(url: string): PgSqlDatabase {
  if (!admin) {
    const created = new PgSqlDatabase({ url, poolSize: 1, applicationName: 'myragdb-test-admin' });
    admin = created;
    registerTeardown(async () => {
      admin = undefined;
      await created.close();
    });
  }
  return admin;
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let sweep: Promise<void> | undefined;
/** Drops databases left by test runs that were killed before their teardown (their pid is gone). */
function sweepAbandoned(sql: SqlDatabase): Promise<void> {
  sweep ??= (async () => {
    const { rows } = await sql.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${DATABASE_PREFIX}%`,
    ]);
    for (const { datname } of rows) {
      const pid = Number(datname.slice(DATABASE_PREFIX.length).split('_')[0]);
      if (Number.isInteger(pid) && !processIsAlive(pid)) {
        await sql.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  })();
  return sweep;
}

/** Creates an isolated database on the server (or an in-memory PGlite when `adminUrl` is undefined). */
export async function createTestDatabase(adminUrl: string | undefined, poolSize = 4): Promise<TestDatabase> {
  if (adminUrl === undefined) {
    const sql = await PgliteSqlDatabase.open();
    return { sql, url: undefined, drop: () => sql.close() };
  }
  const adminSql = adminDatabase(adminUrl);
  await sweepAbandoned(adminSql);
  // The name is generated here from digits and hex only, so it is safe to quote into DDL.
  const name = `${DATABASE_PREFIX}${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  await adminSql.query(`CREATE DATABASE "${name}"`);
  const url = databaseUrl(adminUrl, name);
  const sql = new PgSqlDatabase({ url, poolSize, applicationName: 'myragdb-test' });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await sql.close();
    await adminSql.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  // Belt and braces: a database whose `after` hook never ran is still dropped at the end of the run.
  registerTeardown(drop);
  return { sql, url, drop };
}

/**
 * Registers hooks in the calling `describe` that give it an isolated database. Read `fixture.sql` inside tests.
 */
export function usePostgres(options: UsePostgresOptions = {}): PostgresFixture {
  const engineOption = options.engine ?? 'server';
  const isolation = options.isolation ?? 'suite';
  let current: TestDatabase | undefined;
  let engine: 'postgres' | 'pglite' = 'postgres';
  let adminUrl: string | undefined;

  const fixture: PostgresFixture = {
    get sql() {
      if (!current) throw new Error('usePostgres: no database yet (use fixture.sql inside tests or hooks)');
      return current.sql;
    },
    get engine() {
      return engine;
    },
    get url() {
      return current?.url;
    },
  };

  const open = async () => {
    current = await createTestDatabase(adminUrl, options.poolSize);
    await options.setup?.(current.sql);
  };
  const close = async () => {
    const database = current;
    current = undefined;
    await database?.drop();
  };

  before(async function () {
    this.timeout(180_000);
    adminUrl = engineOption === 'pglite' ? undefined : await postgresServerUrl();
    if (adminUrl === undefined && engineOption === 'server') {
      skipSuite(this, 'no PostgreSQL server: set PG_URL or make a Docker engine reachable');
    }
    engine = adminUrl === undefined ? 'pglite' : 'postgres';
    if (isolation === 'suite') await open();
  });
  after(close);
  if (isolation === 'test') {
    beforeEach(async function () {
      this.timeout(60_000);
      await open();
    });
    afterEach(close);
  }
  return fixture;
}
