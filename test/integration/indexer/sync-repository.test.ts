import { strict as assert } from 'node:assert';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ChromaVectorIndex } from '../../../services/core/src/adapters/vector-index/chroma.vector-index.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import type { IndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import type { Embedder } from '../../../services/core/src/ports/embedder.js';
import { useChroma } from '../../support/chroma.js';
import { useMeilisearch } from '../../support/meilisearch.js';
import {
  createFixtureRepository,
  INDEXED_FILES,
  QUERY_TS,
  type FixtureRepository,
} from '../../support/fixture-repository.js';
import { usePostgres } from '../../support/postgres.js';
import { defaultTestEmbedder } from './default-embedder.js';
import { catalogIds, CountingEmbedder, createTestRuntime, keywordIds, vectorIds } from './indexer-fixture.js';

const MAX_FILE_BYTES = 64 * 1024;

describe('indexer: syncing a repository into every store (real Postgres, Chroma, default embedder)', function () {
  this.timeout(180_000);
  const postgres = usePostgres({ isolation: 'test', setup: (sql) => migrate(sql).then(() => undefined) });
  const chroma = useChroma();
  let realEmbedder: Embedder;
  let embedder: CountingEmbedder;
  let runtime: IndexerRuntime;
  let fixture: FixtureRepository;

  before(async () => {
    realEmbedder = await defaultTestEmbedder();
  });
  after(async () => {
    await realEmbedder?.close();
  });

  beforeEach(async () => {
    embedder = new CountingEmbedder(realEmbedder);
    runtime = await createTestRuntime(postgres, chroma, embedder);
    fixture = await createFixtureRepository();
    await runtime.catalog.createRepository({
      name: 'fixture',
      source: { type: 'local', path: fixture.root },
      maxFileBytes: MAX_FILE_BYTES,
    });
  });
  afterEach(async () => {
    await runtime?.close();
  });

  const sameIdsEverywhere = async () => {
    const ids = await catalogIds(postgres, 'fixture');
    assert.ok(ids.length > 0, 'the catalog holds chunks');
    assert.deepEqual(await keywordIds(postgres, 'fixture'), ids, 'keyword store = catalog');
    assert.deepEqual(await vectorIds(chroma, 'fixture'), ids, 'vector store = catalog');
    return ids;
  };

  it('indexes the right chunks, line ranges and symbols, and reports every skipped file with its reason', async () => {
    const result = await runtime.indexer.syncRepository('fixture');
    const indexedPaths = ['.gitignore', ...Object.keys(INDEXED_FILES)].sort();
    assert.deepEqual([...(await runtime.catalog.fileStates('fixture')).keys()].sort(), indexedPaths);
    assert.equal(result.reindexed, indexedPaths.length);
    await sameIdsEverywhere();

    const chunks = await runtime.catalog.getChunks(await catalogIds(postgres, 'fixture'));
    const handle = chunks.find((chunk) => chunk.path === 'src/router.ts' && chunk.content.includes('handle(request'));
    assert.ok(handle, 'a chunk holds Router.handle');
    assert.ok(handle.symbol?.includes('Router'), `symbol ${handle.symbol} names the class`);
    assert.ok(
      handle.startLine <= 26 && handle.endLine >= 31,
      `lines ${handle.startLine}-${handle.endLine} cover 26-31`,
    );
    const parse = chunks.find((chunk) => chunk.path === 'src/query.ts' && chunk.symbol === 'parseQuery');
    assert.ok(parse, 'parseQuery is its own chunk');
    assert.ok(parse.startLine <= 6 && parse.endLine === 14, `lines ${parse.startLine}-${parse.endLine}`);
    assert.ok(chunks.some((chunk) => chunk.path === 'docs/guide.md' && chunk.symbol === 'Payments guide'));

    const found = await runtime.keywordIndex.search({ text: 'parseQuery', limit: 5, filter: {} });
    assert.equal(found[0]?.id, parse.id, 'the keyword store finds the definition by identifier');

    const stats = await runtime.catalog.stats('fixture');
    assert.equal(stats.files, indexedPaths.length);
    assert.equal(stats.vectorsPending, 0);
    assert.equal(stats.model?.modelId, embedder.modelId);
    const reasons = new Map(stats.skipped.map((entry) => [entry.path.replace(/\/$/, ''), entry.reason]));
    assert.equal(reasons.get('ignored.txt'), 'ignored');
    assert.equal(reasons.get('node_modules'), 'vendored');
    assert.equal(reasons.get('data/huge.txt'), 'too_large');
    assert.equal(reasons.get('assets/logo.dat'), 'binary');
    assert.ok(reasons.get('escape')?.startsWith('symlink'), `escape: ${reasons.get('escape')}`);
  });

  it('a no-change resync writes and embeds nothing, and keeps the index generation (search caches stay valid)', async () => {
    const first = await runtime.indexer.syncRepository('fixture');
    embedder.reset();
    const result = await runtime.indexer.syncRepository('fixture');
    assert.deepEqual([result.reindexed, result.chunksWritten, result.chunksDeleted, embedder.calls], [0, 0, 0, 0]);
    assert.equal(result.generation, first.generation);
    await fixture.write('docs/guide.md', '# Payments guide\n\nRewritten.\n');
    assert.ok((await runtime.indexer.syncRepository('fixture')).generation > first.generation);
  });

  it('modifying a file replaces only its chunks, in every store', async () => {
    await runtime.indexer.syncRepository('fixture');
    const before = await runtime.catalog.getChunks(await catalogIds(postgres, 'fixture'));
    const others = before.filter((chunk) => chunk.path !== 'src/query.ts').map((chunk) => chunk.id);
    const formatId = before.find((chunk) => chunk.symbol === 'formatQuery')!.id;
    const parseId = before.find((chunk) => chunk.symbol === 'parseQuery')!.id;

    await fixture.write('src/query.ts', QUERY_TS.replace("join('&')", "join(';')"));
    embedder.reset();
    const result = await runtime.indexer.syncRepository('fixture');
    assert.equal(result.reindexed, 1);

    const ids = await sameIdsEverywhere();
    for (const id of others) assert.ok(ids.includes(id), 'chunks of other files are untouched');
    assert.ok(ids.includes(parseId), 'the unchanged function in the changed file keeps its id');
    assert.ok(!ids.includes(formatId), 'the changed function lost its old chunk everywhere');
    assert.equal(embedder.embedded.length, 1, 'only the changed chunk was embedded');
    assert.match(embedder.embedded[0]!, /join\(';'\)/);
  });

  it('deleting a file removes its chunks from every store', async () => {
    await runtime.indexer.syncRepository('fixture');
    const usersIds = (await runtime.catalog.chunkIdsByPath('fixture', ['lib/users.py'])).get('lib/users.py')!;
    const found = async () =>
      (await runtime.keywordIndex.search({ text: 'get_user_name', limit: 10, filter: {} }))
        .map((hit) => hit.id)
        .filter((id) => usersIds.includes(id));
    assert.ok((await found()).length > 0, 'the keyword store finds the file while it exists');
    const before = await vectorIds(chroma, 'fixture');
    await fixture.remove('lib/users.py');
    const result = await runtime.indexer.syncRepository('fixture');
    assert.equal(result.deleted, 1);
    const ids = await sameIdsEverywhere();
    const remaining = await runtime.catalog.getChunks(ids);
    assert.ok(remaining.every((chunk) => chunk.path !== 'lib/users.py'));
    assert.ok(ids.length < before.length, 'fewer vectors than before');
    assert.deepEqual(await found(), []);
  });

  it('renaming a file moves its chunks and re-embeds only them (the path is part of what is embedded)', async () => {
    await runtime.indexer.syncRepository('fixture');
    await rename(join(fixture.root, 'lib/users.py'), join(fixture.root, 'lib/directory.py'));
    embedder.reset();
    const result = await runtime.indexer.syncRepository('fixture');
    assert.equal(result.renamed, 1);
    const ids = await sameIdsEverywhere();
    const chunks = await runtime.catalog.getChunks(ids);
    const paths = new Set(chunks.map((chunk) => chunk.path));
    assert.ok(paths.has('lib/directory.py') && !paths.has('lib/users.py'));
    const moved = chunks.filter((chunk) => chunk.path === 'lib/directory.py').length;
    assert.deepEqual([result.embedded, result.embeddingCacheHits], [moved, 0], 'the moved chunks, nothing else');
  });

  it('a sync aborted half way resumes to the same final state as an uninterrupted one', async () => {
    // Abort once the keyword phase has written its first batch, then once the first vectors are stored.
    for (const abortAt of ['keyword', 'vectors'] as const) {
      const controller = new AbortController();
      await assert.rejects(
        runtime.indexer.syncRepository('fixture', {
          full: true,
          signal: controller.signal,
          onProgress: (progress) => {
            const reached = abortAt === 'keyword' ? progress.chunksWritten > 0 : progress.vectorsWritten > 0;
            if (reached) controller.abort();
          },
        }),
      );
    }
    // The aborted state is partial; the rerun completes it.
    await runtime.indexer.syncRepository('fixture');
    const resumed = await sameIdsEverywhere();
    assert.equal((await runtime.catalog.stats('fixture')).vectorsPending, 0);

    await runtime.indexer.syncRepository('fixture', { full: true });
    assert.deepEqual(await sameIdsEverywhere(), resumed, 'same ids as a clean full rebuild');
  });

  it('keyword documents of a sync that died before its catalog commit are gone after the next sync', async () => {
    await runtime.indexer.syncRepository('fixture');
    await fixture.write('src/query.ts', QUERY_TS.replace("join('&')", "join('|')"));
    // The process dies after the keyword write, before the catalog commit.
    const applyFileChanges = runtime.catalog.applyFileChanges;
    runtime.catalog.applyFileChanges = () => Promise.reject(new Error('killed before the catalog commit'));
    try {
      await assert.rejects(runtime.indexer.syncRepository('fixture'));
    } finally {
      runtime.catalog.applyFileChanges = applyFileChanges;
    }
    const committed = await catalogIds(postgres, 'fixture');
    const written = (await keywordIds(postgres, 'fixture')).filter((id) => !committed.includes(id));
    assert.ok(written.length > 0, 'the dead sync left keyword documents the catalog does not know');

    // The file changes again before the next sync: nothing will write those ids again.
    await fixture.write('src/query.ts', QUERY_TS.replace("join('&')", "join(',')"));
    await runtime.indexer.syncRepository('fixture');
    const ids = await sameIdsEverywhere();
    for (const id of written) assert.ok(!ids.includes(id));
  });

  describe('moving to another keyword store (KEYWORD_ENGINE or MEILI_INDEX_PREFIX changed)', () => {
    const meili = useMeilisearch();
    const openMeilisearchRuntime = () =>
      createTestRuntime(
        postgres,
        chroma,
        embedder,
        {},
        {
          KEYWORD_ENGINE: 'meilisearch',
          MEILI_URL: meili.url,
          MEILI_INDEX_PREFIX: meili.indexPrefix,
          ...(meili.apiKey ? { MEILI_API_KEY: meili.apiKey } : {}),
        },
      );

    it('writes every document into the new store from the catalog, reading and embedding nothing', async () => {
      await runtime.indexer.syncRepository('fixture');
      const ids = await catalogIds(postgres, 'fixture');
      const parseId = (await runtime.catalog.getChunks(ids)).find((chunk) => chunk.symbol === 'parseQuery')!.id;
      const meiliRuntime = await openMeilisearchRuntime();
      try {
        embedder.reset();
        const moved = await meiliRuntime.indexer.syncRepository('fixture');
        assert.deepEqual([moved.reindexed, moved.chunksWritten, embedder.calls], [0, ids.length, 0]);
        const found = await meiliRuntime.keywordIndex.search({ text: 'parseQuery', limit: 5, filter: {} });
        assert.equal(found[0]?.id, parseId, 'the new store answers at once');
        assert.equal((await meiliRuntime.indexer.syncRepository('fixture')).chunksWritten, 0, 'once only');
      } finally {
        await meiliRuntime.close();
      }
    });

    it('moving back drops what the old store kept of files deleted meanwhile', async () => {
      await runtime.indexer.syncRepository('fixture');
      const usersIds = (await runtime.catalog.chunkIdsByPath('fixture', ['lib/users.py'])).get('lib/users.py')!;
      const meiliRuntime = await openMeilisearchRuntime();
      try {
        await meiliRuntime.indexer.syncRepository('fixture');
        await fixture.remove('lib/users.py');
        await meiliRuntime.indexer.syncRepository('fixture');
      } finally {
        await meiliRuntime.close();
      }
      const leftInPostgres = await keywordIds(postgres, 'fixture');
      assert.ok(
        usersIds.every((id) => leftInPostgres.includes(id)),
        'the store not in use still holds the deleted file',
      );
      const back = await runtime.indexer.syncRepository('fixture');
      assert.ok(back.chunksWritten > 0);
      await sameIdsEverywhere();
      const stale = await runtime.keywordIndex.search({ text: 'get_user_name', limit: 10, filter: {} });
      assert.deepEqual(
        stale.filter((hit) => usersIds.includes(hit.id)),
        [],
      );
    });
  });

  it('a missing source path fails with a clear error in status and leaves other repositories alone', async () => {
    await runtime.indexer.syncRepository('fixture');
    const before = await sameIdsEverywhere();
    await runtime.catalog.createRepository({
      name: 'gone',
      source: { type: 'local', path: join(fixture.root, 'does-not-exist') },
    });
    await assert.rejects(runtime.indexer.syncRepository('gone'), /does not exist/);
    const stats = await runtime.catalog.stats('gone');
    assert.match(stats.lastError ?? '', /source path .* does not exist/);
    assert.deepEqual(await sameIdsEverywhere(), before);
  });

  it('an unreachable git remote fails with a clear error and nothing is indexed', async () => {
    await runtime.catalog.createRepository({
      name: 'remote',
      source: { type: 'git', url: 'https://127.0.0.1:9/nobody/nothing.git' },
    });
    await assert.rejects(runtime.indexer.syncRepository('remote'));
    const stats = await runtime.catalog.stats('remote');
    assert.ok(stats.lastError, 'status carries the error');
    assert.equal(stats.files, 0);
  });

  it('a model change drops the old space and re-stores every vector in the new one, never a mix', async () => {
    await runtime.indexer.syncRepository('fixture');
    const ids = await catalogIds(postgres, 'fixture');
    // The repository's vectors were made by another model: they sit in that model's space.
    const previousSpace = () =>
      new ChromaVectorIndex({
        url: chroma.url,
        modelId: 'previous-model',
        dimension: 3,
        collectionPrefix: chroma.collectionPrefix,
      });
    const previous = previousSpace();
    await previous.upsert(
      'fixture',
      ids.map((id) => ({ id, embedding: [1, 0, 0], path: 'x', language: 'text' })),
    );
    await postgres.sql.query(
      "UPDATE index_state SET model_id = 'previous-model', dimension = 3 WHERE repository = 'fixture'",
    );
    embedder.reset();
    const result = await runtime.indexer.syncRepository('fixture');
    assert.equal(await previousSpace().count('fixture'), 0, 'the old space is emptied');
    assert.equal(result.vectorsWritten, ids.length, 'every chunk got a vector of the current model again');
    assert.equal(embedder.calls, 0, 'contents this model embedded before come from its cache');
    assert.deepEqual(await vectorIds(chroma, 'fixture'), ids);
    const stats = await runtime.catalog.stats('fixture');
    assert.deepEqual([stats.model?.modelId, stats.vectorsPending], [embedder.modelId, 0]);
    await previous.close();
  });
});
