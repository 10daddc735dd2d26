/**
 * `myragdb backup FILE` / `myragdb restore FILE` as a user runs them: CLI subprocesses on a real local data dir
 * (embedded PGlite with the schema and data, vectors directory, admin key), round trip, and every refusal.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PgliteSqlDatabase } from '../../services/core/src/adapters/sql-database/pglite.sql-database.js';
import { embeddedDatabaseDir } from '../../services/core/src/db/open-database.js';

const CLI = fileURLToPath(new URL('../../services/cli/bin/myragdb.js', import.meta.url));
const execute = promisify(execFile);

async function myragdb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function repositoryNames(dataDir: string): Promise<string[]> {
  const sql = await PgliteSqlDatabase.open({ dataDir: embeddedDatabaseDir(dataDir) });
  try {
    const { rows } = await sql.query<{ name: string }>('SELECT name FROM repositories ORDER BY name');
    return rows.map((row) => row.name);
  } finally {
    await sql.close();
  }
}

describe('myragdb backup / restore of the local data dir (subprocess)', function () {
  this.timeout(240_000);
  let work: string;
  let dataDir: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'myragdb-local-backup-'));
    dataDir = join(work, 'data');
    const migrated = await execute(process.execPath, [CLI, 'db', 'migrate'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MYRAGDB_DATA_DIR: dataDir },
    });
    assert.match(migrated.stdout, /Applied \d+ migration/);
    const sql = await PgliteSqlDatabase.open({ dataDir: embeddedDatabaseDir(dataDir) });
    await sql.query('INSERT INTO repositories (name, source, max_file_bytes) VALUES ($1, $2, $3)', [
      'alpha',
      JSON.stringify({ type: 'local', path: '/src/alpha' }),
      65_536,
    ]);
    await sql.close();
    await mkdir(join(dataDir, 'chroma'));
    await writeFile(join(dataDir, 'chroma', 'chroma.sqlite3'), 'vectors');
    await writeFile(join(dataDir, 'admin.key'), 'mrdb_admin_key_value', { mode: 0o600 });
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('round trip: backup, lose the data dir, restore; database, vectors and admin key come back', async () => {
    const file = join(work, 'backups', 'myragdb.tgz');
    const backup = await myragdb('backup', file, '--data-dir', dataDir);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^Backed up .* to .*myragdb\.tgz \(\d+ bytes\)\.$/m);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'the backup holds credentials: owner-only');
    assert.deepEqual(await readdir(join(work, 'backups')), ['myragdb.tgz'], 'no partial file left');

    await rm(dataDir, { recursive: true });
    const restore = await myragdb('restore', file, '--data-dir', dataDir);
    assert.equal(restore.code, 0, restore.stderr);
    assert.deepEqual(await repositoryNames(dataDir), ['alpha']);
    assert.equal(await readFile(join(dataDir, 'chroma', 'chroma.sqlite3'), 'utf8'), 'vectors');
    assert.equal(await readFile(join(dataDir, 'admin.key'), 'utf8'), 'mrdb_admin_key_value');
  });

  it('refuses while `myragdb up` has the data dir open, and over a non-empty dir without --force', async () => {
    const file = join(work, 'second.tgz');
    const open = await PgliteSqlDatabase.open({ dataDir: embeddedDatabaseDir(dataDir) });
    try {
      const busy = await myragdb('backup', file, '--data-dir', dataDir);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, /is in use by a running `myragdb up`.*stop it first/);
      assert.equal(existsSync(file), false);
    } finally {
      await open.close();
    }
    assert.equal((await myragdb('backup', file, '--data-dir', dataDir)).code, 0);

    const refused = await myragdb('restore', file, '--data-dir', dataDir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is not empty: pass --force/);
    const forced = await myragdb('restore', file, '--data-dir', dataDir, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    const previous = /Previous contents: (\S+)/.exec(forced.stdout)?.[1];
    assert.ok(previous && existsSync(join(previous, 'admin.key')), 'the replaced contents are kept aside');
    assert.deepEqual(await repositoryNames(dataDir), ['alpha']);
  });

  it('a file that is not a backup is refused and the data dir stays as it was', async () => {
    const bogus = join(work, 'bogus.tgz');
    await writeFile(bogus, 'not a tarball');
    const result = await myragdb('restore', bogus, '--data-dir', dataDir, '--force');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a MyRAGDB backup/);
    assert.deepEqual(await repositoryNames(dataDir), ['alpha']);
    assert.ok(!(await readdir(work)).some((entry) => entry.includes('.restore-')), 'no staging dir left');
  });
});
