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
