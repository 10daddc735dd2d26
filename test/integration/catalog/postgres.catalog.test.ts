import assert from 'node:assert/strict';
import { createPostgresCatalog } from '../../../services/core/src/adapters/catalog/postgres.catalog.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import type { Chunk } from '../../../services/core/src/domain/chunk.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../services/core/src/errors.js';
import { chunkId, contentHash } from '../../../services/core/src/domain/chunk-id.js';
import type { Catalog, FileChange } from '../../../services/core/src/ports/catalog.js';
import { createCredentialCipher } from '../../../services/core/src/security/credential-cipher.js';
import { usePostgres } from '../../support/postgres.js';

const cipher = createCredentialCipher('test-encryption-key-with-enough-entropy');

function chunk(repository: string, path: string, content: string, startLine: number, symbol?: string): Chunk {
  const hash = contentHash(content);
  return {
    id: chunkId({ repository, path, contentHash: hash, ordinal: 0 }),
    repository,
    path,
    language: 'typescript',
    startLine,
    endLine: startLine + content.split('\n').length - 1,
    ...(symbol ? { symbol } : {}),
    content,
    contentHash: hash,
  };
}

function change(path: string, chunks: Chunk[], deleteIds: string[] = [], size = 100): FileChange {
  return { path, size, mtimeMs: 1_700_000_000_123.5, contentHash: contentHash(path + size), upsert: chunks, deleteIds };
}

for (const engine of ['server', 'pglite'] as const) {
  describe(`PostgresCatalog (${engine === 'server' ? 'PostgreSQL' : 'PGlite'})`, function () {
    const pg = usePostgres({ engine, setup: (sql) => migrate(sql).then(() => undefined) });
    let catalog: Catalog;
    beforeEach(async () => {
      await pg.sql.query('TRUNCATE repositories, embedding_cache CASCADE');
      catalog = createPostgresCatalog(pg.sql, { cipher });
      await catalog.createRepository({ name: 'app', source: { type: 'local', path: '/srv/app' } });
    });

    describe('repositories', () => {
      it('creates, reads, lists, updates and deletes', async () => {
        const created = await catalog.createRepository({
          name: 'lib',
          source: { type: 'git', url: 'https://example.test/lib.git', ref: 'main' },
          include: ['src/**'],
          maxFileBytes: 2048,
        });
        assert.deepEqual(created.include, ['src/**']);
        assert.equal(created.maxFileBytes, 2048);
        assert.deepEqual(
          (await catalog.listRepositories()).map((repository) => repository.name),
          ['app', 'lib'],
        );
        const updated = await catalog.updateRepository('lib', { exclude: ['**/*.min.js'] });
        assert.deepEqual(updated.exclude, ['**/*.min.js']);
        assert.deepEqual(updated.include, ['src/**']);
        await catalog.deleteRepository('lib');
        await assert.rejects(catalog.getRepository('lib'), NotFoundError);
        await assert.rejects(catalog.deleteRepository('lib'), NotFoundError);
      });

      it('text the database cannot hold (a NUL byte) is a validation error, not an internal one', async () => {
        await assert.rejects(catalog.getRepository('a\u0000b'), ValidationError);
      });

      it('refuses a duplicate name and invalid input without writing anything', async () => {
        await assert.rejects(
          catalog.createRepository({ name: 'app', source: { type: 'local', path: '/elsewhere' } }),
          ConflictError,
        );
        await assert.rejects(
          catalog.createRepository({ name: 'Bad Name', source: { type: 'local', path: '/x' } }),
          ValidationError,
        );
        await assert.rejects(
          catalog.createRepository({ name: 'rel', source: { type: 'local', path: 'relative/path' } }),
          ValidationError,
        );
        await assert.rejects(
          catalog.createRepository({ name: 'ext', source: { type: 'git', url: 'ext::sh -c touch /tmp/x' } }),
          ValidationError,
        );
        assert.deepEqual(
          (await catalog.listRepositories()).map((repository) => repository.name),
          ['app'],
        );
      });

      it('stores git credentials sealed with AES-256-GCM and opens them on read', async () => {
        const credentials = { username: 'bot', token: 'ghp_secret_token_value' };
        await catalog.createRepository({
          name: 'private',
          source: { type: 'git', url: 'https://example.test/private.git', credentials },
        });
        const { rows } = await pg.sql.query<{ source: string }>(
          "SELECT source::text AS source FROM repositories WHERE name = 'private'",
        );
        assert.ok(!rows[0]!.source.includes('ghp_secret_token_value'));
        assert.match(rows[0]!.source, /"credentials": ?"v1\./);
        const read = await catalog.getRepository('private');
        assert.deepEqual(read.source.type === 'git' && read.source.credentials, credentials);

        // Without the right key the repository is still read (listing must not fail), credentials left out and why.
        const withoutKey = createPostgresCatalog(pg.sql);
        const unreadable = await withoutKey.getRepository('private');
        assert.equal(unreadable.source.type === 'git' && unreadable.source.credentials, undefined);
        assert.match(unreadable.credentialsUnavailable ?? '', /set AUTH_ENCRYPTION_KEY/);
        const wrongKey = createPostgresCatalog(pg.sql, {
          cipher: createCredentialCipher('another-key-entirely-0123456'),
        });
        assert.match((await wrongKey.getRepository('private')).credentialsUnavailable ?? '', /cannot be decrypted/);
        await assert.rejects(
          withoutKey.createRepository({
            name: 'refused',
            source: { type: 'git', url: 'https://example.test/x.git', credentials },
          }),
          ValidationError,
        );
      });
    });

    describe('files and chunks', () => {
      it('applies a file with its chunks atomically and reports file states for the planner', async () => {
        const a = chunk('app', 'src/a.ts', 'export function parseQuery() {}', 1, 'parseQuery');
        const b = chunk('app', 'src/a.ts', 'export const x = 1;', 3);
        await catalog.applyFileChanges('app', [change('src/a.ts', [a, b])]);
        const states = await catalog.fileStates('app');
        assert.deepEqual(states.get('src/a.ts'), {
          size: 100,
          mtimeMs: 1_700_000_000_123.5,
          contentHash: contentHash('src/a.ts100'),
        });
        assert.deepEqual((await catalog.chunkIdsByPath('app', ['src/a.ts'])).get('src/a.ts'), [a.id, b.id]);
        assert.deepEqual(await catalog.getChunks([b.id, 'missing', a.id]), [b, a]);

        // A changed file: one chunk replaced, one kept.
        const c = chunk('app', 'src/a.ts', 'export const x = 2;', 3);
        await catalog.applyFileChanges('app', [change('src/a.ts', [c], [b.id], 101)]);
        assert.deepEqual((await catalog.chunkIdsByPath('app', ['src/a.ts'])).get('src/a.ts'), [a.id, c.id]);
        assert.equal((await catalog.fileStates('app')).get('src/a.ts')?.size, 101);
      });

      it('rolls the whole batch back when one chunk is invalid', async () => {
        const good = chunk('app', 'src/good.ts', 'ok', 1);
        const bad = { ...chunk('app', 'src/bad.ts', 'bad', 5), endLine: 2 };
        await assert.rejects(
          catalog.applyFileChanges('app', [change('src/good.ts', [good]), change('src/bad.ts', [bad])]),
          ValidationError,
        );
        assert.equal((await catalog.fileStates('app')).size, 0);
        assert.deepEqual(await catalog.getChunks([good.id]), []);
        await assert.rejects(
          catalog.applyFileChanges('app', [change('src/x.ts', [chunk('other', 'src/x.ts', 'x', 1)])]),
          ValidationError,
        );
        await assert.rejects(catalog.applyFileChanges('ghost', [change('src/x.ts', [])]), NotFoundError);
      });

      it('touches, deletes files (returning their chunk ids) and clears a repository', async () => {
        const a = chunk('app', 'a.ts', 'a', 1);
        const b = chunk('app', 'b.ts', 'b', 1);
        await catalog.applyFileChanges('app', [change('a.ts', [a]), change('b.ts', [b])]);
        await catalog.touchFiles('app', [{ path: 'a.ts', size: 7, mtimeMs: 42 }]);
        assert.deepEqual((await catalog.fileStates('app')).get('a.ts'), {
          size: 7,
          mtimeMs: 42,
          contentHash: contentHash('a.ts100'),
        });
        assert.deepEqual(await catalog.deleteFiles('app', ['a.ts', 'never-there.ts']), [a.id]);
        assert.deepEqual([...(await catalog.fileStates('app')).keys()], ['b.ts']);
        await catalog.clearRepository('app');
        assert.equal((await catalog.fileStates('app')).size, 0);
        assert.deepEqual(await catalog.getChunks([b.id]), []);
      });

      it('finds chunks by content hash across repositories (renames and copies)', async () => {
        await catalog.createRepository({ name: 'fork', source: { type: 'local', path: '/srv/fork' } });
        const original = chunk('app', 'old/name.ts', 'shared body', 1);
        const copy = chunk('fork', 'new/name.ts', 'shared body', 1);
        await catalog.applyFileChanges('app', [change('old/name.ts', [original])]);
        await catalog.applyFileChanges('fork', [change('new/name.ts', [copy])]);
        const found = await catalog.findChunkIdsByContentHash([contentHash('shared body'), contentHash('nothing')]);
        assert.deepEqual(found.get(contentHash('shared body'))?.sort(), [original.id, copy.id].sort());
        assert.equal(found.has(contentHash('nothing')), false);
      });

      it('keeps skipped files apart from indexed ones and reports them in stats', async () => {
        await catalog.applyFileChanges('app', [change('src/a.ts', [chunk('app', 'src/a.ts', 'a', 1)])]);
        await catalog.replaceSkippedFiles('app', [
          { path: 'logo.png', reason: 'binary' },
          { path: 'dist/app.min.js', reason: 'generated' },
          { path: 'big.json', reason: 'binary' },
        ]);
        await catalog.replaceSkippedFiles('app', [
          { path: 'logo.png', reason: 'binary' },
          { path: 'dist/app.min.js', reason: 'generated' },
        ]);
        assert.deepEqual([...(await catalog.fileStates('app')).keys()], ['src/a.ts']);
        const stats = await catalog.stats('app');
        assert.equal(stats.files, 1);
        assert.equal(stats.chunks, 1);
        assert.equal(stats.vectorsPending, 1);
        assert.equal(stats.skippedFiles, 2);
        assert.deepEqual(stats.skippedByReason, { binary: 1, generated: 1 });
        assert.deepEqual(stats.skipped, [
          { path: 'dist/app.min.js', reason: 'generated' },
          { path: 'logo.png', reason: 'binary' },
        ]);
        await assert.rejects(catalog.stats('ghost'), NotFoundError);
      });
    });

    describe('vectors and index state', () => {
      it('pages vectors-pending chunks by id and marks them done', async () => {
        const chunks = ['one', 'two', 'three'].map((text, index) => chunk('app', 'f.ts', text, index + 1));
        await catalog.applyFileChanges('app', [change('f.ts', chunks)]);
        const first = await catalog.listPendingVectors('app', undefined, 2);
        assert.equal(first.length, 2);
        const rest = await catalog.listPendingVectors('app', first.at(-1)!.id, 2);
        assert.equal(rest.length, 1);
        const all = [...first, ...rest].map((pending) => pending.id);
        assert.deepEqual(all, chunks.map((c) => c.id).sort());
        await catalog.markVectorsDone('app', [first[0]!.id]);
        assert.equal((await catalog.stats('app')).vectorsPending, 2);
        // Re-applying an existing chunk (moved lines) keeps its vector mark.
        const moved = { ...chunks.find((c) => c.id === first[0]!.id)!, startLine: 10, endLine: 10 };
        await catalog.applyFileChanges('app', [change('f.ts', [moved])]);
        assert.equal((await catalog.stats('app')).vectorsPending, 2);
        assert.equal((await catalog.getChunks([moved.id]))[0]!.startLine, 10);
      });

      it('caches embeddings by content hash and model id, exactly as float32', async () => {
        const vector = [0.25, -1.5, 3.140000104904175];
        await catalog.putCachedEmbeddings('model-a', new Map([['h1', vector]]));
        await catalog.putCachedEmbeddings('model-a', new Map([['h1', [9, 9, 9]]]));
        const hit = await catalog.getCachedEmbeddings('model-a', ['h1', 'h2', 'h1']);
        assert.deepEqual([...hit], [['h1', vector]]);
        assert.equal((await catalog.getCachedEmbeddings('model-b', ['h1'])).size, 0);
        await assert.rejects(catalog.putCachedEmbeddings('model-a', new Map([['h3', [Number.NaN]]])), ValidationError);
      });

      it('records the model, re-marks every chunk on a model change and bumps generations', async () => {
        await catalog.applyFileChanges('app', [change('f.ts', [chunk('app', 'f.ts', 'x', 1)])]);
        const [pending] = await catalog.listPendingVectors('app', undefined, 10);
        await catalog.markVectorsDone('app', [pending!.id]);
        assert.equal(await catalog.getIndexModel('app'), undefined);
        await catalog.resetIndexModel('app', { modelId: 'use-lite', dimension: 512 });
        assert.deepEqual(await catalog.getIndexModel('app'), { modelId: 'use-lite', dimension: 512 });
        assert.equal((await catalog.stats('app')).vectorsPending, 1);
        const before = (await catalog.indexGenerations(['app', 'ghost'])).get('app')!;
        assert.equal(await catalog.bumpIndexGeneration('app'), before + 1);
        assert.deepEqual([...(await catalog.indexGenerations(['app', 'ghost']))], [['app', before + 1]]);
        await assert.rejects(catalog.bumpIndexGeneration('ghost'), NotFoundError);
      });

      it('records sync outcomes: success stamps lastIndexedAt, failure keeps it and shows the error', async () => {
        await catalog.recordSyncOutcome('app', {});
        const ok = await catalog.stats('app');
        assert.ok(ok.lastIndexedAt instanceof Date);
        assert.equal(ok.lastError, undefined);
        await catalog.recordSyncOutcome('app', { error: 'path /srv/app does not exist' });
        const failed = await catalog.stats('app');
        assert.equal(failed.lastError, 'path /srv/app does not exist');
        assert.equal(failed.lastIndexedAt?.getTime(), ok.lastIndexedAt?.getTime());
      });
    });

    it('deleting a repository removes its files, chunks and index state', async () => {
      const a = chunk('app', 'a.ts', 'a', 1);
      await catalog.applyFileChanges('app', [change('a.ts', [a])]);
      await catalog.deleteRepository('app');
      assert.deepEqual(await catalog.getChunks([a.id]), []);
      const { rows } = await pg.sql.query<{ n: number }>(
        "SELECT (SELECT count(*) FROM files)::int + (SELECT count(*) FROM index_state WHERE repository = 'app')::int AS n",
      );
      assert.equal(rows[0]!.n, 0);
    });
  });
}
