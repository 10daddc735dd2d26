import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataDirInUseError, lockDataDir, readDataDirOwner } from '../../src/db/data-dir-lock.js';
import { openDatabase } from '../../src/db/open-database.js';

const run = promisify(execFile);
const config = (dataDir: string) => ({
  DATABASE_URL: undefined,
  DATABASE_POOL_SIZE: 5,
  DATABASE_MAX_OVERFLOW: 0,
  MYRAGDB_DATA_DIR: dataDir,
});

describe('embedded data dir lock', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'myragdb-lock-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('lets one holder open the embedded database; a second open fails clearly until the first closes', async () => {
    const first = await openDatabase(config(dataDir), 'test');
    await first.query('CREATE TABLE marker (id int)');
    await assert.rejects(openDatabase(config(dataDir), 'test'), (error: unknown) => {
      assert.ok(error instanceof DataDirInUseError);
      assert.match(error.message, new RegExp(`is in use by another MyRAGDB process \\(pid ${process.pid}\\)`));
      return true;
    });
    await first.close();
    const second = await openDatabase(config(dataDir), 'test');
    assert.deepEqual((await second.query('SELECT count(*)::int AS n FROM marker')).rows, [{ n: 0 }]);
    await second.close();
  });

  it('advertises the holder and its gateway to other processes, and nothing once released', async () => {
    const lock = await lockDataDir(dataDir, () => undefined);
    await lock.advertise({ gatewayUrl: 'http://127.0.0.1:3002' });
    assert.deepEqual(await readDataDirOwner(dataDir), { pid: process.pid, gatewayUrl: 'http://127.0.0.1:3002' });
    await lock.release();
    assert.equal(await readDataDirOwner(dataDir), undefined);
  });

  it('makes a CLI command in another process fail with the reason instead of opening a second copy', async () => {
    const lock = await lockDataDir(dataDir, () => undefined);
    try {
      const failed = await run(process.execPath, ['services/cli/bin/myragdb.js', 'apikey', 'list'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, MYRAGDB_DATA_DIR: dataDir, NO_COLOR: '1' },
      }).then(
        () => assert.fail('the command should fail'),
        (error: { code: number; stderr: string }) => error,
      );
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, /is in use by another MyRAGDB process/);
    } finally {
      await lock.release();
    }
  });
});
