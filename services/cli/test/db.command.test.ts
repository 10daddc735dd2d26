import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PgliteSqlDatabase } from '../../core/src/adapters/sql-database/pglite.sql-database.js';
import { embeddedDatabaseDir } from '../../core/src/db/open-database.js';
import { usePostgres } from '../../../test/support/postgres.js';

const bin = fileURLToPath(new URL('../bin/myragdb.js', import.meta.url));

function runMigrate(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'db', 'migrate', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function tables(sql: { query<R>(text: string): Promise<{ rows: R[] }> }): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

describe('myragdb db migrate (subprocess)', function () {
  this.timeout(180_000);

  describe('against DATABASE_URL', function () {
    const pg = usePostgres();

    it('applies the schema once, then reports it up to date; --down reverts', async () => {
      const env = { DATABASE_URL: pg.url! };
      const first = runMigrate(env);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^Applied \d+ migration\(s\):\n {2}1764100000000_catalog\n/);
      for (const table of [
        'repositories',
        'files',
        'chunks',
        'embedding_cache',
        'index_state',
        'jobs',
        'keyword_chunks',
      ]) {
        assert.ok((await tables(pg.sql)).includes(table), table);
      }
      const again = runMigrate(env);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stdout, 'Database schema is up to date.\n');

      const down = runMigrate(env, '--down', '--count', '99');
      assert.equal(down.status, 0, down.stderr);
      assert.match(down.stdout, /^Reverted \d+ migration\(s\)/);
      assert.deepEqual(await tables(pg.sql), ['schema_migrations']);
    });

    it('fails with a clear message and exit 1 when the database is unreachable or the flags are wrong', () => {
      const unreachable = runMigrate({ DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none' });
      assert.equal(unreachable.status, 1);
      assert.match(unreachable.stderr, /PostgreSQL is unavailable/);
      const badCount = runMigrate({ DATABASE_URL: pg.url! }, '--count', 'zero');
      assert.notEqual(badCount.status, 0);
      assert.match(badCount.stderr, /must be a positive whole number/);
    });
  });

  it('migrates the embedded PGlite database in MYRAGDB_DATA_DIR, which persists', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'myragdb-data-'));
    try {
      const result = runMigrate({ MYRAGDB_DATA_DIR: dataDir });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^Applied \d+ migration\(s\)/);
      const sql = await PgliteSqlDatabase.open({ dataDir: embeddedDatabaseDir(dataDir) });
      try {
        assert.ok((await tables(sql)).includes('chunks'));
      } finally {
        await sql.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
