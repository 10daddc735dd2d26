/**
 * The behaviour every KeywordIndex adapter must have. Call inside a `describe` whose fixtures provide a fresh,
 * initialised, empty index per `open()` and one whose store is unreachable per `openUnreachable()`.
 */
import assert from 'node:assert/strict';
import type { Chunk } from '../domain/chunk.js';
import { DependencyError, ValidationError } from '../errors.js';
import type { KeywordIndex } from '../ports/keyword-index.js';

export interface KeywordIndexContractFixture {
  open(): Promise<KeywordIndex>;
  openUnreachable(): Promise<KeywordIndex>;
}

let serial = 0;
/** A chunk of repository `app` with a unique id, path and hash, and the given fields. */
export function testChunk(fields: Partial<Chunk> & Pick<Chunk, 'content'>): Chunk {
  serial += 1;
  return {
    id: `chunk${String(serial).padStart(6, '0')}`,
    repository: 'app',
    path: `src/file${serial}.ts`,
    language: 'typescript',
    startLine: 1,
    endLine: fields.content.split('\n').length,
    contentHash: `hash${serial}`,
    ...fields,
  };
}

const ids = (results: readonly { id: string }[]) => results.map((result) => result.id);

export function keywordIndexContract(fixture: KeywordIndexContractFixture): void {
  let index: KeywordIndex;
  beforeEach(async () => {
    index = await fixture.open();
  });
  afterEach(async () => {
    await index.close();
  });

  const search = (text: string, filter = {}, limit = 10) => index.search({ text, limit, filter });

  const parser = testChunk({
    path: 'src/query/parser.ts',
    symbol: 'parseQuery',
    content:
      'export function parseQuery(input: string): Query {\n  return tokenize(input).reduce(buildNode, empty);\n}',
  });
  const router = testChunk({
    path: 'src/http/router.ts',
    symbol: 'Router.handle',
    content:
      'handle(request) {\n  const route = this.routes.find((r) => r.matches(request.path));\n  return route.run(request);\n}',
  });
  const readme = testChunk({
    path: 'docs/README.md',
    language: 'markdown',
    content: '# Getting started\nInstall the package and run the indexer against your repository.',
  });
  const otherRepo = testChunk({
    repository: 'lib',
    path: 'lib/user.py',
    language: 'python',
    symbol: 'get_user_name',
    content: 'def get_user_name(user_id):\n    return users[user_id].name',
  });

  it('finds an upserted chunk by a word of its content, best first, with positive scores', async () => {
    await index.upsert([parser, router, readme, otherRepo]);
    const results = await search('indexer repository');
    assert.equal(results[0]?.id, readme.id);
    for (const result of results) assert.ok(result.score > 0);
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1]!.score >= results[i]!.score);
  });

  it('matches identifiers as typed and as plain words', async () => {
    await index.upsert([parser, router, readme, otherRepo]);
    for (const text of ['parseQuery', 'parse query', 'parse_query', 'ParseQuery']) {
      assert.equal((await search(text))[0]?.id, parser.id, `query ${text}`);
    }
    assert.equal((await search('get user name'))[0]?.id, otherRepo.id);
    assert.equal((await search('getUserName'))[0]?.id, otherRepo.id);
  });

  it('still finds the chunk for a natural-language question with words it lacks', async () => {
    await index.upsert([parser, router, readme, otherRepo]);
    assert.ok(ids(await search('where do we parse the query string of a search?')).includes(parser.id));
  });

  it('replaces a document upserted again under the same id, and upserting twice is idempotent', async () => {
    await index.upsert([router]);
    await index.upsert([{ ...router, content: 'dispatch(event) { return this.listeners.emit(event); }' }]);
    await index.upsert([{ ...router, content: 'dispatch(event) { return this.listeners.emit(event); }' }]);
    assert.deepEqual(ids(await search('routes matches')), []);
    assert.deepEqual(ids(await search('listeners emit')), [router.id]);
  });

  it('deletes by id (unknown ids are ignored) and by repository', async () => {
    await index.upsert([parser, router, otherRepo]);
    await index.delete([parser.id, 'no-such-id']);
    assert.deepEqual(ids(await search('parseQuery')), []);
    assert.deepEqual(ids(await search('routes')), [router.id]);
    await index.deleteRepository('app');
    await index.deleteRepository('never-indexed');
    assert.deepEqual(ids(await search('routes')), []);
    assert.deepEqual(ids(await search('user name')), [otherRepo.id]);
    await index.delete([]);
  });

  it('lists the ids it holds per repository', async () => {
    await index.upsert([parser, router, otherRepo]);
    assert.deepEqual((await index.documentIds('app')).sort(), [parser.id, router.id].sort());
    await index.delete([parser.id]);
    assert.deepEqual(await index.documentIds('app'), [router.id]);
    assert.deepEqual(await index.documentIds('lib'), [otherRepo.id]);
    assert.deepEqual(await index.documentIds('never-indexed'), []);
  });

  it('filters by repositories, languages and path globs', async () => {
    const testFile = testChunk({ path: 'test/query/parser.test.ts', content: 'it parses the query parseQuery(input)' });
    await index.upsert([parser, router, readme, otherRepo, testFile]);
    assert.deepEqual(ids(await search('name', { repositories: ['lib'] })), [otherRepo.id]);
    assert.deepEqual(ids(await search('name', { repositories: ['app'] })), []);
    assert.deepEqual(ids(await search('repository', { languages: ['markdown'] })), [readme.id]);
    assert.deepEqual(ids(await search('repository', { languages: ['python'] })), []);
    assert.deepEqual(ids(await search('parseQuery', { pathGlobs: ['src/**/*.ts'] })), [parser.id]);
    assert.deepEqual(ids(await search('parseQuery', { pathGlobs: ['test/**'] })), [testFile.id]);
    assert.deepEqual((await search('parseQuery', { pathGlobs: ['**/*.ts', 'docs/**'] })).length, 2);
    assert.deepEqual(ids(await search('parseQuery', { repositories: [] })), []);
  });

  it('returns nothing for an empty index, an unmatched query or a query without words', async () => {
    assert.deepEqual(await search('parseQuery'), []);
    await index.upsert([parser]);
    assert.deepEqual(await search('xylophone quartz'), []);
    assert.deepEqual(await search('   '), []);
    assert.deepEqual(await search('!!! ??? ...'), []);
  });

  it('honours the limit', async () => {
    await index.upsert(Array.from({ length: 12 }, (_, i) => testChunk({ content: `shared token number ${i}` })));
    assert.equal((await search('shared token', {}, 5)).length, 5);
    assert.equal((await search('shared token', {}, 50)).length, 12);
  });

  it('rejects bad input with ValidationError and writes nothing', async () => {
    await assert.rejects(index.search({ text: 'x', limit: 0, filter: {} }), ValidationError);
    await assert.rejects(index.search({ text: 'x', limit: 1.5, filter: {} }), ValidationError);
    await assert.rejects(index.search({ text: 'x'.repeat(5_000), limit: 5, filter: {} }), ValidationError);
    await assert.rejects(index.upsert([parser, { ...router, id: '' }]), ValidationError);
    await assert.rejects(index.upsert([{ ...router, startLine: 0 }]), ValidationError);
    assert.deepEqual(await search('parseQuery'), []);
  });

  describe('BM25 ranking (the same on every engine)', () => {
    const chunk = (path: string, content: string, symbol?: string): Chunk =>
      testChunk({ path, content, ...(symbol ? { symbol } : {}) });

    it('matches English word forms through stemming and ranks rare words above common ones', async () => {
      const redirects = chunk(
        'src/redirect.ts',
        'When a response redirects, the handler follows it to the new location.',
      );
      const common = Array.from({ length: 20 }, (_, i) => chunk(`src/handler${i}.ts`, `the handler number ${i}`));
      await index.upsert([...common, redirects]);
      const found = await search('where is a redirect followed by the handler?', {}, 5);
      assert.equal(found[0]?.id, redirects.id);
      assert.ok(found.length <= 5);
    });

    it('adds file evidence: a file holding every word across its chunks beats a chunk holding one', async () => {
      const cookieParse = chunk('lib/cookies.js', 'function parseCookie(header) { return header.split(";") }');
      const cookieExpire = chunk('lib/cookies.js', 'function isExpired(cookie, now) { return cookie.expires < now }');
      const lonely = chunk('lib/other.js', 'cookie cookie cookie jar');
      await index.upsert([cookieParse, cookieExpire, lonely]);
      const found = await search('parse cookie header and check if expired', {}, 3);
      assert.deepEqual(ids(found.slice(0, 2)).sort(), [cookieParse.id, cookieExpire.id].sort());
      await index.delete([cookieExpire.id]);
      assert.deepEqual(ids(await search('expired')), []);
      assert.equal((await search('parse cookie header'))[0]?.id, cookieParse.id);
    });

    it('ranks the chunk defining an identifier first, whichever way the identifier is written', async () => {
      const definition = chunk(
        'src/cache.ts',
        'export function parseCacheControlHeader(value: string) {\n  return value.split(",");\n}',
        'parseCacheControlHeader',
      );
      const callers = Array.from({ length: 5 }, (_, i) =>
        chunk(`src/caller${i}.ts`, `const directives = parseCacheControlHeader(response.headers.cache); // ${i}`),
      );
      await index.upsert([...callers, definition]);
      for (const text of ['parseCacheControlHeader', 'parse cache control header', 'parse_cache_control_header'])
        assert.equal((await search(text, {}, 3))[0]?.id, definition.id, text);
    });

    it('ranks chunks with two of the rare query words above chunks with one when no chunk has them all', async () => {
      const both = chunk('src/both.ts', 'retry the request with exponential backoff');
      const retryOnly = chunk('src/retry.ts', 'retry the request');
      const backoffOnly = chunk('src/backoff.ts', 'backoff timer');
      const filler = Array.from({ length: 30 }, (_, i) => chunk(`src/filler${i}.ts`, `the request number ${i}`));
      await index.upsert([retryOnly, backoffOnly, ...filler, both]);
      const found = ids(await search('retry with exponential backoff and jitter'));
      assert.equal(found[0], both.id);
      assert.deepEqual(found.slice(1).sort(), [retryOnly.id, backoffOnly.id].sort());
    });

    it('answers a query with a 700-character CJK token instead of failing, and still uses the other words', async () => {
      const pool = chunk('src/pool.ts', 'class Pool { acquire() {} } // 連接池');
      await index.upsert([pool]);
      const long = '連'.repeat(700);
      assert.deepEqual(await search(long, {}, 5), []);
      assert.deepEqual(ids(await search(`${long} pool acquire`, {}, 5)), [pool.id]);
    });
  });

  it('raises DependencyError when the store is unreachable', async () => {
    const down = await fixture.openUnreachable();
    try {
      await assert.rejects(down.search({ text: 'parseQuery', limit: 5, filter: {} }), DependencyError);
      await assert.rejects(down.upsert([parser]), DependencyError);
      await assert.rejects(down.ping(), DependencyError);
    } finally {
      await down.close().catch(() => undefined);
    }
  });
}
