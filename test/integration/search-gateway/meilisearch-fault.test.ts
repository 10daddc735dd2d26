/**
 * Store-fault behaviour with Meilisearch as the keyword engine: a Meilisearch process of this test's own is killed
 * (SIGKILL) while clients keep searching, then started again on the same data. Hybrid answers must never fail: they
 * come from the vector leg, marked degraded, while Meilisearch is down, and from both legs again once it is back.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { createIndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import type { SearchResponse } from '../../../services/search-gateway/src/api/search.schemas.js';
import type { GatewayRuntime } from '../../../services/search-gateway/src/gateway-runtime.js';
import {
  requireMeilisearchBinary,
  startMeilisearchServer,
  type MeilisearchProcess,
} from '../../support/meilisearch.js';
import { registerTeardown } from '../../support/hooks.js';
import { ADMIN_KEY, FIXTURE, useGateway } from './gateway-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body: SearchResponse;
}

/** `clients` loops searching until `stop` resolves; every answer is kept, in order. */
function searchLoad(gateway: GatewayRuntime, clients: number) {
  const answers: Answer[] = [];
  let stopped = false;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let round = 0; !stopped; round++) {
      const response = await request(gateway.app)
        .post('/api/v1/search')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .send({ query: round % 2 === 0 ? 'parseQuery' : 'how are refunds issued?', mode: 'hybrid', limit: 5 + client });
      answers.push({ status: response.status, body: response.body as SearchResponse });
    }
  });
  return {
    answers,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe('search gateway: Meilisearch killed under search load', function () {
  this.timeout(300_000);
  before(function () {
    requireMeilisearchBinary(this);
  });
  const harness = useGateway();
  let meili: MeilisearchProcess;
  let gateway: GatewayRuntime;

  before(async function () {
    this.timeout(180_000);
    meili = await startMeilisearchServer();
    registerTeardown(() => meili.stop());
    const env = {
      KEYWORD_ENGINE: 'meilisearch',
      MEILI_URL: meili.url,
      MEILI_API_KEY: meili.apiKey,
      MEILI_INDEX_PREFIX: 'fault_',
      SEARCH_CACHE_MAX_ENTRIES: '0',
      SEARCH_LEG_TIMEOUT_MS: '3000',
      // The load below is one client IP sending thousands of searches on a fast machine: no limit may answer it.
      RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
      RATE_LIMIT_REQUESTS_PER_HOUR: '1000000',
      RATE_LIMIT_GLOBAL_REQUESTS_PER_MINUTE: '1000000',
      RATE_LIMIT_GLOBAL_REQUESTS_PER_HOUR: '10000000',
      RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: '100000',
    };
    // The indexer writes the fixture's chunks into this Meilisearch (vectors come from the embedding cache).
    const indexer = await createIndexerRuntime({
      config: harness.config(env),
      sql: harness.sql,
      embedder: harness.embedder,
      logger: harness.logger,
      collectionPrefix: harness.collectionPrefix,
    });
    try {
      await indexer.indexer.syncRepository(FIXTURE, { full: true });
    } finally {
      await indexer.close();
    }
    gateway = await harness.gatewayWith(env);
  });

  const search = async (query: string, mode: string) =>
    request(gateway.app).post('/api/v1/search').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ query, mode });

  it('answers hybrid searches from the vectors while it is down, and from both legs once it is back', async () => {
    const first = await search('parseQuery', 'hybrid');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const healthy = first.body as SearchResponse;
    assert.equal(healthy.degraded, undefined);
    assert.equal(healthy.results[0]?.path, 'src/query.ts');
    assert.equal(healthy.results[0]?.keyword?.rank, 1, 'the keyword leg answers from Meilisearch');

    const load = searchLoad(gateway, 4);
    try {
      await sleep(500);
      await meili.kill('SIGKILL');
      const killedAt = load.answers.length;
      await sleep(2_000);

      const down = (await search('parseQuery', 'hybrid')).body as SearchResponse;
      assert.deepEqual(down.degraded, ['keyword']);
      assert.ok(down.results.length > 0 && down.results.every((result) => result.semantic && !result.keyword));
      const keywordOnly = await search('parseQuery', 'keyword');
      assert.equal(keywordOnly.status, 503);
      assert.equal((keywordOnly.body as { error: { code: string } }).error.code, 'dependency_unavailable');

      meili = await startMeilisearchServer({ port: meili.port, dbPath: meili.dbPath, masterKey: meili.apiKey });
      // Recovery waits at most for the keyword leg's circuit breaker to let a trial call through (5 s).
      const deadline = Date.now() + 90_000;
      let recovered: SearchResponse | undefined;
      while (!recovered && Date.now() < deadline) {
        const answer = await search('parseQuery', 'hybrid');
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        if ((answer.body as SearchResponse).degraded === undefined) recovered = answer.body as SearchResponse;
        else await sleep(500);
      }
      assert.ok(recovered, 'the keyword leg came back');
      assert.equal(recovered.results[0]?.path, 'src/query.ts');
      assert.equal(recovered.results[0]?.keyword?.rank, 1, 'the index survived the crash');
      await sleep(500);

      await load.stop();
      const failed = load.answers.filter((answer) => answer.status !== 200);
      assert.deepEqual(
        failed.map((answer) => answer.status),
        [],
        'no hybrid search failed',
      );
      const afterKill = load.answers.slice(killedAt);
      assert.ok(
        afterKill.some((answer) => answer.body.degraded?.includes('keyword')),
        'answers under load were degraded while Meilisearch was down',
      );
      assert.ok(
        load.answers.every((answer) => answer.body.results.length > 0),
        'every answer under load had results',
      );
      assert.equal(load.answers.at(-1)?.body.degraded, undefined, 'the last answers under load used both legs');
    } finally {
      await load.stop();
    }
  });
});
