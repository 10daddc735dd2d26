import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Meilisearch } from 'meilisearch';
import {
  MeilisearchKeywordIndex,
  MeilisearchRejectedError,
  MeilisearchTaskError,
  type MeilisearchKeywordIndexOptions,
} from '../../../services/core/src/adapters/keyword-index/meilisearch.keyword-index.js';
import { meilisearchDocument } from '../../../services/core/src/adapters/keyword-index/meilisearch.documents.js';
import { MEILISEARCH_SETTINGS } from '../../../services/core/src/adapters/keyword-index/meilisearch.settings.js';
import { DependencyError, ValidationError } from '../../../services/core/src/errors.js';
import { createLogger } from '../../../services/core/src/logging.js';
import { keywordIndexContract, testChunk } from '../../../services/core/src/testing/keyword-index.contract.js';
import { meilisearchClient, useMeilisearch, type MeilisearchFixture } from '../../support/meilisearch.js';
import { freePort } from '../../support/ports.js';

const FAST_RETRIES = {
  maxRetries: 2,
  retryBackoff: { kind: 'linear', initialDelayMs: 10, incrementMs: 0, maxDelayMs: 10 },
} satisfies Partial<MeilisearchKeywordIndexOptions>;

function openIndex(meili: MeilisearchFixture, options: Partial<MeilisearchKeywordIndexOptions> = {}) {
  return new MeilisearchKeywordIndex({
    url: meili.url,
    ...(meili.apiKey ? { apiKey: meili.apiKey } : {}),
    indexPrefix: meili.indexPrefix,
    ...options,
  });
}

describe('KeywordIndex contract: Meilisearch', function () {
  const meili = useMeilisearch();
  keywordIndexContract({
    open: async () => {
      const index = openIndex(meili);
      await index.init();
      return index;
    },
    openUnreachable: async () =>
      new MeilisearchKeywordIndex({ url: `http://127.0.0.1:${await freePort()}`, indexPrefix: meili.indexPrefix }),
  });
});

describe('Meilisearch keyword index on a real server', function () {
  this.timeout(60_000);
  const meili = useMeilisearch();
  let client: Meilisearch;
  beforeEach(() => {
    client = meilisearchClient(meili);
  });

  const settingsTasks = async (uid: string) =>
    (await client.tasks.getTasks({ indexUids: [uid], types: ['settingsUpdate'] })).results.length;
  const ids = (results: readonly { id: string }[]) => results.map((result) => result.id);

  it('applies its settings once: a second init enqueues no task, and drifted settings are put back', async () => {
    const index = openIndex(meili);
    await index.init();
    const settings = await client.index(index.uid).getSettings();
    assert.deepEqual(settings.rankingRules, MEILISEARCH_SETTINGS.rankingRules);
    assert.deepEqual(settings.searchableAttributes, MEILISEARCH_SETTINGS.searchableAttributes);
    assert.equal(settings.typoTolerance?.enabled, false);
    assert.equal(settings.prefixSearch, 'disabled');
    assert.equal(settings.pagination?.maxTotalHits, MEILISEARCH_SETTINGS.pagination.maxTotalHits);
    assert.equal(await settingsTasks(index.uid), 1);

    await openIndex(meili).init();
    assert.equal(await settingsTasks(index.uid), 1, 'unchanged settings are not sent again');

    await client
      .index(index.uid)
      .updateSettings({ rankingRules: ['sort', 'words'] })
      .waitTask();
    await openIndex(meili).init();
    assert.deepEqual((await client.index(index.uid).getSettings()).rankingRules, MEILISEARCH_SETTINGS.rankingRules);
  });

  it('matches lexemes exactly (no typo, no prefix) and ranks the definition above call sites', async () => {
    const index = openIndex(meili);
    await index.init();
    const definition = testChunk({
      symbol: 'getUser',
      content: 'export function getUser(id: string) { return db.find(id); }',
    });
    const caller = testChunk({ content: 'const owner = getUser(order.ownerId);\nrender(owner);' });
    const neighbour = testChunk({
      symbol: 'setUser',
      content: 'export function setUser(user: User) { db.save(user); }',
    });
    await index.upsert([caller, neighbour, definition]);
    assert.deepEqual(ids(await index.search({ text: 'getUser', limit: 10, filter: {} })).slice(0, 2), [
      definition.id,
      caller.id,
    ]);
    assert.deepEqual(ids(await index.search({ text: 'uzer', limit: 10, filter: {} })), [], 'no typo match');
    assert.deepEqual(ids(await index.search({ text: 'owne', limit: 10, filter: {} })), [], 'no prefix match');
    assert.deepEqual(ids(await index.search({ text: 'get_user', limit: 10, filter: {} })).slice(0, 2), [
      definition.id,
      caller.id,
    ]);
  });

  it('keeps every chunk’s file length current through separate upserts and deletes', async () => {
    const index = openIndex(meili);
    await index.init();
    const inFile = (content: string) => testChunk({ path: 'lib/cookies.js', content });
    const [first, second, third] = [inFile('parse cookie header'), inFile('cookie expires'), inFile('serialize')];
    const stored = async () =>
      (
        await client.index(index.uid).getDocuments({ fields: ['id', 'tokens', 'fileTokens', 'fileChunks'], limit: 10 })
      ).results.map((document) => [document.id, document.tokens, document.fileTokens, document.fileChunks]);
    await index.upsert([first, second]);
    await index.upsert([third]);
    assert.deepEqual(
      (await stored()).sort(),
      [
        [first.id, 3, 6, 3],
        [second.id, 2, 6, 3],
        [third.id, 1, 6, 3],
      ].sort(),
    );
    await index.delete([second.id]);
    assert.deepEqual(
      (await stored()).sort(),
      [
        [first.id, 3, 4, 2],
        [third.id, 1, 4, 2],
      ].sort(),
    );
  });

  it('keeps installations with different prefixes apart on one server, down to a key limited to one prefix', async () => {
    const mine = openIndex(meili);
    const theirs = openIndex(meili, { indexPrefix: `${meili.indexPrefix}other_` });
    await Promise.all([mine.init(), theirs.init()]);
    const chunk = testChunk({ content: 'shared helper in both installations' });
    await mine.upsert([chunk]);
    await theirs.upsert([chunk, testChunk({ content: 'only the other installation has this helper' })]);
    await mine.deleteRepository('app');
    assert.deepEqual(await mine.search({ text: 'helper', limit: 10, filter: {} }), []);
    assert.equal((await theirs.search({ text: 'helper', limit: 10, filter: {} })).length, 2);

    const key = await client.createKey({
      actions: ['search', 'documents.*', 'indexes.*', 'settings.*', 'tasks.get'],
      indexes: [`${meili.indexPrefix}chunks`],
      expiresAt: null,
    });
    try {
      const limited = openIndex(meili, { apiKey: key.key });
      await limited.init();
      await limited.upsert([chunk]);
      assert.deepEqual(ids(await limited.search({ text: 'helper', limit: 10, filter: {} })), [chunk.id]);
      const trespassing = openIndex(meili, { apiKey: key.key, indexPrefix: `${meili.indexPrefix}other_` });
      await assert.rejects(trespassing.search({ text: 'helper', limit: 10, filter: {} }), MeilisearchRejectedError);
    } finally {
      await client.deleteKey(key.key);
    }
  });

  it('finds what another process wrote after its corpus sample was read: the counts choose, not the sample', async () => {
    const gateway = openIndex(meili);
    const indexer = openIndex(meili);
    await Promise.all([gateway.init(), indexer.init()]);
    const old = testChunk({ content: 'an older helper for the retry loop' });
    await indexer.upsert([old]);
    assert.deepEqual(ids(await gateway.search({ text: 'helper', limit: 10, filter: {} })), [old.id]);
    // Within the sample's minute: the gateway's sample knows neither the new chunk nor its lexeme.
    const added = testChunk({ content: 'the circuitbreaker opens after five failures of the helper' });
    await indexer.upsert([added]);
    assert.deepEqual(ids(await gateway.search({ text: 'circuitbreaker', limit: 10, filter: {} })), [added.id]);
    assert.deepEqual(
      ids(await gateway.search({ text: 'helper', limit: 10, filter: {} })).sort(),
      [old.id, added.id].sort(),
    );
  });

  it('still searches documents of the previous format, without a Bloom filter, while they are being rewritten', async () => {
    const index = openIndex(meili);
    await index.init();
    const current = testChunk({ content: 'retry the request with backoff' });
    const older = testChunk({ content: 'retry the request later' });
    await index.upsert([current]);
    // As format v2 wrote it: the same fields but the filter (an upgrade rewrites it on the next sync).
    const { contentBloom: _, ...v2 } = meilisearchDocument(older);
    await client.index(index.uid).addDocuments([v2]).waitTask();
    const found = await index.search({ text: 'retry request backoff', limit: 10, filter: {} });
    assert.deepEqual(ids(found), [current.id, older.id]);
  });

  it('cuts writes into batches within the document and byte limits, and refuses an oversized chunk up front', async () => {
    const index = openIndex(meili, { batchLimits: { maxDocuments: 2, maxBytes: 4_096 } });
    await index.init();
    const chunks = Array.from({ length: 5 }, (_, i) => testChunk({ content: `batched chunk number ${i}` }));
    await index.upsert(chunks);
    const additions = await client.tasks.getTasks({ indexUids: [index.uid], types: ['documentAdditionOrUpdate'] });
    assert.equal(additions.results.length, 3);
    assert.equal((await index.search({ text: 'batched chunk', limit: 10, filter: {} })).length, 5);

    // Distinct words: the content's lexemes are stored as a set, so a repeated word would stay small.
    const huge = testChunk({ content: Array.from({ length: 500 }, (_, i) => `oversized${i}`).join(' ') });
    await assert.rejects(index.upsert([testChunk({ content: 'small one' }), huge]), ValidationError);
    assert.deepEqual(await index.search({ text: 'small oversized', limit: 10, filter: {} }), []);
  });

  it('deletes a repository by filter, whatever characters its name has', async () => {
    const index = openIndex(meili);
    await index.init();
    const odd = testChunk({ repository: 'we"ird\\repo', content: 'a chunk of the odd repository' });
    const plain = testChunk({ repository: 'we', content: 'a chunk of the plain repository' });
    await index.upsert([odd, plain]);
    await index.deleteRepository('we"ird\\repo');
    assert.deepEqual(ids(await index.search({ text: 'chunk repository', limit: 10, filter: {} })), [plain.id]);
  });

  it('surfaces a failed task as a typed, non-retryable error', async () => {
    const index = openIndex(meili);
    // Another tool made the index with a different primary key: every addition task fails.
    await client.createIndex(index.uid, { primaryKey: 'uid' }).waitTask();
    await index.init();
    await assert.rejects(index.upsert([testChunk({ content: 'refused' })]), (error: unknown) => {
      assert.ok(error instanceof MeilisearchTaskError, String(error));
      assert.equal(error.task.status, 'failed');
      assert.equal(error.task.errorType, 'invalid_request');
      assert.equal(error.retryable, false);
      return true;
    });
  });

  it('retries a write only when the failure is retryable', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (data: Buffer) => lines.push(data.toString()));
    const logger = createLogger({ service: 'test', level: 'warn', format: 'json', stream });
    const retries = () => lines.filter((line) => line.includes('retrying after a transient failure')).length;

    const wrongKey = openIndex(meili, { apiKey: 'not-the-key', logger, ...FAST_RETRIES });
    await assert.rejects(wrongKey.upsert([testChunk({ content: 'x' })]), MeilisearchRejectedError);
    assert.equal(retries(), 0, 'a refused key is not retried');

    const down = new MeilisearchKeywordIndex({
      url: `http://127.0.0.1:${await freePort()}`,
      indexPrefix: meili.indexPrefix,
      logger,
      ...FAST_RETRIES,
    });
    await assert.rejects(down.upsert([testChunk({ content: 'x' })]), DependencyError);
    assert.equal(retries(), 2, 'an unreachable server is retried maxRetries times');
  });

  it('types a search answered by something else than Meilisearch, or not answered in time', async () => {
    // What a proxy or a hung server in front of Meilisearch does; the client library never sees searches.
    let answer: 'html' | 'hang' = 'html';
    const server = createServer((request, response) => {
      if (answer === 'hang') return;
      response.writeHead(502, { 'Content-Type': 'text/html' }).end('<html><body>Bad gateway</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const proxied = new MeilisearchKeywordIndex({ url: `http://127.0.0.1:${port}`, requestTimeoutMs: 300 });
    try {
      await assert.rejects(proxied.search({ text: 'helper', limit: 5, filter: {} }), (error: unknown) => {
        assert.ok(error instanceof DependencyError, String(error));
        assert.match(error.message, /HTTP 502: <html><body>Bad gateway/);
        assert.equal(error.retryable, true);
        return true;
      });
      answer = 'hang';
      await assert.rejects(proxied.search({ text: 'helper', limit: 5, filter: {} }), /Meilisearch is unavailable/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
