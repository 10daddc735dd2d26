import assert from 'node:assert/strict';
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { createTestDatabase, postgresServerUrl, usePostgres } from '../../support/postgres.js';

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const admin = new PgSqlDatabase({ url: adminUrl, poolSize: 1 });
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length === 1;
  } finally {
    await admin.close();
  }
}

describe('test harness: PostgreSQL server', function () {
  const pg = usePostgres();
  let firstDatabase: string;

  it('gives the suite its own database on a real server', async () => {
    assert.equal(pg.engine, 'postgres');
    const { rows } = await pg.sql.query<{ name: string; version: string }>(
      'SELECT current_database() AS name, version() AS version',
    );
    firstDatabase = rows[0]!.name;
    assert.match(firstDatabase, /^myragdb_test_\d+_\d+_[0-9a-f]{6}$/);
    assert.match(rows[0]!.version, /^PostgreSQL \d+/);
    assert.ok(pg.url?.endsWith(`/${firstDatabase}`));
  });

  it('keeps the database for the whole suite', async () => {
    const { rows } = await pg.sql.query<{ name: string }>('SELECT current_database() AS name');
    assert.equal(rows[0]!.name, firstDatabase);
  });

  it('drops a database when asked, and dropping twice is harmless', async () => {
    const adminUrl = await postgresServerUrl();
    assert.ok(adminUrl);
    const database = await createTestDatabase(adminUrl);
    await database.sql.query('CREATE TABLE kept (id int)');
    const name = new URL(database.url!).pathname.slice(1);
    assert.equal(await databaseExists(adminUrl, name), true);
    await database.drop();
    await database.drop();
    assert.equal(await databaseExists(adminUrl, name), false);
  });

  describe('with isolation per test', function () {
    const perTest = usePostgres({ isolation: 'test' });
    const seen = new Set<string>();

    for (const attempt of [1, 2]) {
      it(`starts test ${attempt} on an empty database of its own`, async () => {
        const { rows } = await perTest.sql.query<{ name: string }>('SELECT current_database() AS name');
        assert.ok(!seen.has(rows[0]!.name));
        seen.add(rows[0]!.name);
        const tables = await perTest.sql.query("SELECT 1 FROM pg_tables WHERE tablename = 'leftover'");
        assert.equal(tables.rows.length, 0);
        await perTest.sql.query('CREATE TABLE leftover (id int)');
      });
    }
  });
});

describe('test harness: embedded PGlite', function () {
  const pg = usePostgres({ engine: 'pglite' });

  it('runs PostgreSQL in-process with pg_trgm available', async () => {
    assert.equal(pg.engine, 'pglite');
    assert.equal(pg.url, undefined);
    await pg.sql.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    const { rows } = await pg.sql.query<{ similar: boolean }>("SELECT 'getUserName' % 'getUsername' AS similar");
    assert.equal(rows[0]!.similar, true);
  });
});
