import assert from 'node:assert/strict';
import request from 'supertest';
import type { SearchResponse, SearchResult } from '../../../services/search-gateway/src/api/search.schemas.js';
import { PgSqlDatabase } from '../../../services/core/src/adapters/sql-database/pg.sql-database.js';
import { PostgresKeywordIndex } from '../../../services/core/src/adapters/keyword-index/postgres.keyword-index.js';
import { ChromaVectorIndex } from '../../../services/core/src/adapters/vector-index/chroma.vector-index.js';
import { QUERY_TS } from '../../support/fixture-repository.js';
import { ADMIN_KEY, FIXTURE, useGateway } from './gateway-harness.js';
import { assembleStores } from '../../../services/core/src/stores/open-stores.js';
import { classifyQuery } from '../../../services/search-gateway/src/search/hybrid-ranking.js';

describe('search gateway: search over an indexed fixture repository', function () {
  this.timeout(60_000);
  const harness = useGateway();

  const search = async (body: object) => {
    const response = await request(harness.gateway.app)
      .post('/api/v1/search')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send(body)
      .expect(200);
    return response.body as SearchResponse;
  };
  const paths = (response: SearchResponse) => response.results.map((result) => result.path);
  const parseQueryLine = QUERY_TS.split('\n').findIndex((line) => line.includes('export function parseQuery')) + 1;

  for (const query of ['parseQuery', 'parse query']) {
    for (const mode of ['keyword', 'hybrid'] as const) {
      it(`${mode}: "${query}" finds the definition of parseQuery first`, async () => {
        const response = await search({ query, mode });
        assert.equal(response.mode, mode);
        const [top] = response.results as [SearchResult];
        assert.equal(top.repository, FIXTURE);
        assert.equal(top.path, 'src/query.ts');
        assert.ok(top.startLine <= parseQueryLine && parseQueryLine <= top.endLine, `${top.startLine}-${top.endLine}`);
        assert.match(top.snippet, /parseQuery/);
        const lit = top.highlights.map((range) => top.snippet.slice(range.start, range.end).toLowerCase());
        assert.ok(
          lit.some((text) => text.includes('parse')),
          JSON.stringify(lit),
        );
        assert.equal(top.keyword?.rank, 1);
        if (mode === 'hybrid') assert.ok(top.semantic, 'hybrid results carry the semantic placement too');
        assert.equal(typeof response.tookMs, 'number');
        assert.equal(response.degraded, undefined);
      });
    }
  }

  it('semantic: a natural-language question finds the file that answers it', async () => {
    const response = await search({ query: 'how are refunds issued for a charge?', mode: 'semantic', limit: 3 });
    assert.equal(response.results[0]?.path, 'docs/guide.md');
    for (const result of response.results) {
      assert.ok(result.semantic && !result.keyword, 'semantic mode has only semantic placements');
      assert.ok(result.score > 0 && result.score <= 1);
    }
  });

  it("hybrid: a result scores its chunk's reciprocal ranks plus its file's, definitions of a named identifier first", async () => {
    for (const query of ['retry with exponential backoff', 'parseQuery']) {
      const response = await search({ query, mode: 'hybrid', limit: 20 });
      const keywordTop = (await search({ query, mode: 'keyword', limit: 1 })).results[0]!;
      assert.ok(
        response.results
          .slice(0, 3)
          .some((result) => result.path === keywordTop.path && result.startLine === keywordTop.startLine),
        "the keyword leg's best hit stays near the top",
      );
      // Defaults: k = 5, file weight 1, the keyword leg weighs 2 for an identifier query (both of these are).
      const keywordWeight = classifyQuery(query) === 'identifier' ? 2 : 1;
      for (const result of response.results) {
        const chunkPart =
          (result.keyword ? keywordWeight / (5 + result.keyword.rank) : 0) +
          (result.semantic ? 1 / (5 + result.semantic.rank) : 0);
        // The file part is at most what a file ranked first in both legs gets.
        assert.ok(
          result.score >= chunkPart - 1e-12 && result.score <= chunkPart + (keywordWeight + 1) / 6 + 1e-12,
          JSON.stringify(result),
        );
      }
      const definitions = response.results.filter((result) => result.symbolMatch);
      assert.equal(definitions.length > 0, query === 'parseQuery');
      assert.deepEqual(response.results.slice(0, definitions.length), definitions, 'definitions come first');
      const rest = response.results.slice(definitions.length);
      const scores = rest.map((result) => result.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
    }
  });

  it('hybrid answers a natural-language question from both legs', async () => {
    const response = await search({ query: 'retry with exponential backoff', mode: 'hybrid', limit: 20 });
    assert.ok(paths(response).slice(0, 5).includes('lib/users.py'), JSON.stringify(paths(response)));
    assert.ok(response.results.some((result) => result.keyword && result.semantic));
  });

  it('filters by language, path glob and repository on every leg', async () => {
    const python = await search({ query: 'user name retry', languages: ['python'], limit: 20 });
    assert.ok(python.results.length > 0);
    assert.ok(python.results.every((result) => result.language === 'python'));

    const docs = await search({ query: 'charge retried', pathGlobs: ['docs/**'], limit: 20 });
    assert.ok(docs.results.length > 0);
    assert.ok(
      docs.results.every((result) => result.path.startsWith('docs/')),
      JSON.stringify(paths(docs)),
    );

    const scoped = await search({ query: 'parseQuery', repositories: [FIXTURE] });
    assert.equal(scoped.results[0]?.path, 'src/query.ts');
  });

  it('groupByFile keeps one result per file; limit and offset page through the ranking', async () => {
    const all = await search({ query: 'query params request', limit: 50 });
    const grouped = await search({ query: 'query params request', limit: 50, groupByFile: true });
    assert.ok(all.results.length > grouped.results.length, 'the fixture has files with several matching chunks');
    assert.equal(new Set(paths(grouped)).size, grouped.results.length);
    const page = await search({ query: 'query params request', limit: 2, offset: 1 });
    assert.deepEqual(
      page.results.map((result) => [result.path, result.startLine]),
      all.results.slice(1, 3).map((result) => [result.path, result.startLine]),
    );
  });

  it('serves a repeated search from the cache until the index generation changes', async () => {
    const body = { query: 'formatQuery inverse', mode: 'keyword' };
    const first = await search(body);
    const second = await search({ ...body, query: '  formatQuery   inverse ' });
    assert.equal(first.cached, undefined);
    assert.equal(second.cached, true);
    assert.deepEqual(second.results, first.results);

    const before = (
      await request(harness.gateway.app)
        .get(`/api/v1/repositories/${FIXTURE}`)
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
    ).body as { lastIndexedAt: string };
    await harness.fixture.write('src/extra.ts', 'export function formatQueryInverse() { return 1; }\n');
    await request(harness.gateway.app)
      .post('/api/v1/reindex')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ repositories: [FIXTURE] })
      .expect(202);
    await harness.waitUntilIndexed(FIXTURE, before.lastIndexedAt);
    const after = await search(body);
    assert.equal(after.cached, undefined, 'a reindex invalidates the cached answer');
    assert.ok(paths(after).includes('src/extra.ts'));
  });

  it('answers 404 for a search filtered on an unknown repository', async () => {
    const response = await request(harness.gateway.app)
      .post('/api/v1/search')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ query: 'x', repositories: ['no-such-repo'] })
      .expect(404);
    assert.equal(response.body.error.code, 'not_found');
  });

  // Last: these stop the stores the other tests use.
  describe('when a store goes down mid-run', () => {
    it('hybrid degrades to the semantic leg when the keyword store is unreachable', async () => {
      const keywordDatabase = new PgSqlDatabase({
        url: harness.databaseUrl!,
        poolSize: 1,
        applicationName: 'degrade-test',
      });
      const gateway = await harness.gatewayWith(
        { SEARCH_CACHE_MAX_ENTRIES: '0' },
        assembleStores({
          config: harness.config(),
          sql: harness.sql,
          keywordIndex: new PostgresKeywordIndex(keywordDatabase),
          vectorIndexFor: (model) =>
            new ChromaVectorIndex({
              url: harness.chroma.url,
              modelId: model.modelId,
              dimension: model.dimension,
              collectionPrefix: harness.collectionPrefix,
            }),
          model: harness.embedder,
        }),
      );
      const call = (mode: string) =>
        request(gateway.app)
          .post('/api/v1/search')
          .set('Authorization', `Bearer ${ADMIN_KEY}`)
          .send({ query: 'parseQuery', mode });
      const healthy = (await call('hybrid').expect(200)).body as SearchResponse;
      assert.equal(healthy.degraded, undefined);

      await keywordDatabase.close();
      const degraded = (await call('hybrid').expect(200)).body as SearchResponse;
      assert.deepEqual(degraded.degraded, ['keyword']);
      assert.ok(degraded.results.length > 0);
      assert.ok(degraded.results.every((result) => result.semantic && !result.keyword));
      const keywordOnly = await call('keyword').expect(503);
      assert.equal(keywordOnly.body.error.code, 'dependency_unavailable');
    });

    it('hybrid degrades to the keyword leg when Chroma is killed, and fails with 503 only when no leg answers', async () => {
      await search({ query: 'parseQuery', mode: 'hybrid' }); // warm: collections known, then the server goes away
      await harness.chroma.stop();
      const response = await search({ query: 'parse query', mode: 'hybrid' });
      assert.deepEqual(response.degraded, ['semantic']);
      assert.equal(response.results[0]?.path, 'src/query.ts');
      assert.ok(response.results.every((result) => result.keyword && !result.semantic));
      const again = await search({ query: 'parse query', mode: 'hybrid' });
      assert.equal(again.cached, undefined, 'a degraded answer is not cached');
      // Past the breaker's threshold the semantic leg is skipped without calling Chroma; answers stay degraded.
      for (let attempt = 0; attempt < 6; attempt++) {
        const open = await search({ query: 'parseQuery', mode: 'hybrid', limit: 20 + attempt }); // never cached
        assert.deepEqual(open.degraded, ['semantic']);
        assert.equal(open.results[0]?.path, 'src/query.ts');
      }

      const semantic = await request(harness.gateway.app)
        .post('/api/v1/search')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .send({ query: 'parseQuery', mode: 'semantic' })
        .expect(503);
      assert.equal(semantic.body.error.code, 'dependency_unavailable');
      assert.doesNotMatch(JSON.stringify(semantic.body), /ECONNREFUSED|chroma/i);
    });
  });
});
