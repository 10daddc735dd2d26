/**
 * `myragdb up`'s folder watcher on a real file system (@parcel/watcher): a change asks for one sync after the quiet
 * time, and changes under an ignored folder (the data dir inside the watched folder, written by every sync) ask for
 * none, however deep they are.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FolderWatcher } from '../../../services/cli/src/local/folder-watcher.js';
import { createLogger } from '../../../services/core/src/logging.js';

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('FolderWatcher (local mode)', () => {
  let root: string;
  let watcher: FolderWatcher;
  const requested: string[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'myragdb-watch-'));
    await mkdir(join(root, 'src'));
    await mkdir(join(root, '.myragdb'));
    requested.length = 0;
    watcher = new FolderWatcher({
      requestSync: (repository) => Promise.resolve(requested.push(repository)),
      logger: createLogger({ service: 'watch-test', level: 'error', format: 'json', stream: silent }),
      // The defaults (300 ms quiet time, 2 s at most), as `up` runs it.
      ignore: [join(root, '.myragdb')],
    });
    await watcher.watch([{ repository: 'project', path: root }]);
  });

  afterEach(async () => {
    await watcher.close();
    await rm(root, { recursive: true, force: true });
  });

  it('asks for one sync of the repository after a burst of saves', async () => {
    for (let save = 0; save < 5; save++) await writeFile(join(root, 'src', 'a.ts'), `export const a = ${save};\n`);
    for (let waited = 0; requested.length === 0 && waited < 5_000; waited += 50) await sleep(50);
    await sleep(700);
    assert.deepEqual(requested, ['project']);
  });

  it('ignores writes under the ignored data dir, nested folders and renames included', async () => {
    await mkdir(join(root, '.myragdb', 'pg', 'base'), { recursive: true });
    await writeFile(join(root, '.myragdb', 'pg', 'base', '1.dat'), 'x');
    await writeFile(join(root, '.myragdb', 'admin.key.tmp'), 'y');
    await rename(join(root, '.myragdb', 'admin.key.tmp'), join(root, '.myragdb', 'admin.key'));
    await sleep(1_000);
    assert.deepEqual(requested, []);
  });
});
