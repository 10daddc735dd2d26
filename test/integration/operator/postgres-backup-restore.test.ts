/**
 * The managed Postgres backup as the operator's CronJob runs it, for real: its pg_dump script against a PostgreSQL
 * holding an indexed repository, the README's restore command into an empty database, then a full reindex that
 * rebuilds the search stores (lost with the cluster) from the restored catalog and the sources, embedding nothing:
 * the embedding cache came back with the catalog.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { migrate } from '../../../services/core/src/db/migrate.js';
import type { Embedder } from '../../../services/core/src/ports/embedder.js';
import { LOGICAL_BACKUP_SCRIPT } from '../../../operator/src/specs/backup.specs.js';
import { deleteCollections, useChroma } from '../../support/chroma.js';
import { createFixtureRepository, type FixtureRepository } from '../../support/fixture-repository.js';
import { createTestDatabase, postgresServerUrl, usePostgres, type TestDatabase } from '../../support/postgres.js';
import { defaultTestEmbedder } from '../indexer/default-embedder.js';
import { catalogIds, CountingEmbedder, createTestRuntime, keywordIds, vectorIds } from '../indexer/indexer-fixture.js';

const run = promisify(execFile);

/** The newest installed PostgreSQL client tools (Debian's layout); pg_dump must not be older than the server. */
function postgresBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error('no PostgreSQL client tools in /usr/lib/postgresql');
  return `/usr/lib/postgresql/${versions.at(-1)!}/bin`;
}

/** libpq variables for a postgres:// URL, as the CronJob's pod gets them. */
function libpqEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  return {
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username),
    PGDATABASE: parsed.pathname.slice(1),
    ...(parsed.password ? { PGPASSWORD: decodeURIComponent(parsed.password) } : {}),
  };
}

describe('managed Postgres: pg_dump backup, documented restore, search stores rebuilt without re-embedding', function () {
  this.timeout(300_000);
  const postgres = usePostgres({ setup: (sql) => migrate(sql).then(() => undefined) });
  const chroma = useChroma();
  let realEmbedder: Embedder;
  let fixture: FixtureRepository;
  let backupDir: string;
  let restored: TestDatabase | undefined;

  before(async () => {
    realEmbedder = await defaultTestEmbedder();
    fixture = await createFixtureRepository();
    backupDir = await mkdtemp(path.join(tmpdir(), 'myragdb-backups-'));
  });
  after(async () => {
    await restored?.drop();
    await realEmbedder?.close();
    await rm(backupDir, { recursive: true, force: true });
  });

  it('dumps, prunes only old dumps, restores, and a full reindex rebuilds Chroma and the keyword store from the cache', async () => {
    const embedder = new CountingEmbedder(realEmbedder);
    const source = await createTestRuntime(postgres, chroma, embedder);
    await source.catalog.createRepository({ name: 'fixture', source: { type: 'local', path: fixture.root } });
    await source.indexer.syncRepository('fixture');
    await source.close();
    const ids = await catalogIds(postgres, 'fixture');
    assert.ok(ids.length > 0 && embedder.calls > 0, 'the repository was indexed and embedded');

    // Retention: a dump older than RETENTION_DAYS goes, a recent one and unrelated files stay.
    const old = path.join(backupDir, 'myragdb-20250101T020000Z.dump');
    const recent = path.join(backupDir, 'myragdb-20261202T020000Z.dump');
    const notes = path.join(backupDir, 'notes.txt');
    for (const file of [old, recent, notes]) await writeFile(file, 'x');
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    await utimes(old, days(8), days(8));
    await utimes(notes, days(30), days(30));
    await utimes(recent, days(2), days(2));

    const { stdout } = await run('sh', ['-c', LOGICAL_BACKUP_SCRIPT], {
      env: {
        PATH: `${postgresBin()}:${process.env.PATH ?? ''}`,
        ...libpqEnv(postgres.url!),
        BACKUP_DIR: backupDir,
        RETENTION_DAYS: '7',
      },
    });
    assert.match(stdout, /backup written: .*myragdb-\d{8}T\d{6}Z\.dump \(\d+ bytes\)/);
    const files = (await readdir(backupDir)).sort();
    const dumps = files.filter((file) => /^myragdb-\d{8}T\d{6}Z\.dump$/.test(file) && file !== path.basename(recent));
    assert.equal(dumps.length, 1, `one new dump: ${files.join(', ')}`);
    assert.ok(!files.includes(path.basename(old)), 'the 8-day-old dump was pruned');
    assert.ok(files.includes(path.basename(recent)) && files.includes('notes.txt'), files.join(', '));
    assert.ok(!files.some((file) => file.endsWith('.partial')));
    const dump = path.join(backupDir, dumps[0]!);
    assert.ok((await stat(dump)).size > 1000);

    // The restore the README documents, into an empty database (a new cluster's).
    restored = await createTestDatabase(await postgresServerUrl());
    await run(
      `${postgresBin()}/pg_restore`,
      ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${restored.url!}`, dump],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    assert.deepEqual(await catalogIds({ sql: restored.sql } as typeof postgres, 'fixture'), ids);

    // The search stores did not survive (a new cluster): Chroma is empty, the keyword documents are gone.
    await deleteCollections(chroma.client, chroma.collectionPrefix);
    await restored.sql.query('DELETE FROM keyword_chunks');
    const target = { sql: restored.sql, engine: 'postgres', url: restored.url } as const;
    const rebuiltEmbedder = new CountingEmbedder(realEmbedder);
    const rebuilt = await createTestRuntime(target, chroma, rebuiltEmbedder);
    try {
      await rebuilt.indexer.syncRepository('fixture', { full: true });
      assert.equal(rebuiltEmbedder.calls, 0, 'every vector came from the restored embedding cache');
      const rebuiltIds = await catalogIds(target, 'fixture');
      assert.deepEqual(rebuiltIds, ids, 'the same chunks');
      assert.deepEqual(await vectorIds(chroma, 'fixture'), ids, 'Chroma rebuilt');
      assert.deepEqual(await keywordIds(target, 'fixture'), ids, 'keyword store rebuilt');
      const found = await rebuilt.keywordIndex.search({ text: 'parseQuery', limit: 5, filter: {} });
      assert.ok(found.length > 0, 'keyword search answers again');
    } finally {
      await rebuilt.close();
    }
  });
});
