/**
 * REDIS_URL: two gateway replicas on one database share their rate-limit counters and their search cache through a
 * real redis-server; when Redis hangs or dies, requests go on (limits unenforced, cache skipped), never a 5xx.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import type { GatewayRuntime } from '../../../services/search-gateway/src/gateway-runtime.js';
import { startRedisServer, type RedisServer } from '../../support/redis.js';
import { ADMIN_KEY, FIXTURE, useGateway } from './gateway-harness.js';

describe('search gateway: rate limits and search cache shared through Redis', function () {
  this.timeout(120_000);
  const harness = useGateway();
  const admin = `Bearer ${ADMIN_KEY}`;
  let redis: RedisServer;
  let installation = 0;

  before(async () => {
    redis = await startRedisServer();
  });
  after(() => redis?.stop());

  /** Two replicas of one installation (one key prefix), each with its own process-level state. */
  const replicas = async (overrides: Record<string, string> = {}): Promise<[GatewayRuntime, GatewayRuntime]> => {
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `install${++installation}:`, ...overrides };
    return [await harness.gatewayWith(env), await harness.gatewayWith(env)];
  };

  it('N replicas allow the per-client limit once, not N times', async () => {
    const [first, second] = await replicas({ RATE_LIMIT_REQUESTS_PER_MINUTE: '6' });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const replica = attempt % 2 === 0 ? first : second;
      statuses.push((await request(replica.app).get('/api/v1/repositories').set('Authorization', admin)).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    const limited = await request(first.app).get('/api/v1/repositories').set('Authorization', admin);
    assert.equal(limited.headers['ratelimit-remaining'], '0');
  });

  it('the per-key limit and failed-attempt limit are shared too', async () => {
    const [first, second] = await replicas({
      RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE: '3',
      AUTH_FAILED_ATTEMPTS_PER_15_MINUTES: '2',
    });
    const keyed = [first, second, first, second];
    const statuses = [];
    for (const replica of keyed) {
      statuses.push((await request(replica.app).get('/api/v1/repositories').set('Authorization', admin)).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const bad = (replica: GatewayRuntime) =>
      request(replica.app).get('/api/v1/repositories').set('Authorization', 'Bearer mrdb_guess_0000000000');
    assert.deepEqual(
      [(await bad(first)).status, (await bad(second)).status, (await bad(first)).status],
      [401, 401, 429],
    );
  });

  it('a search answered by one replica is served from the shared cache by the other', async () => {
    const [first, second] = await replicas();
    const body = { query: 'parse the search query', mode: 'keyword', repositories: [FIXTURE] };
    const fresh = await request(first.app).post('/api/v1/search').set('Authorization', admin).send(body).expect(200);
    assert.equal(fresh.body.cached ?? false, false);
    const shared = await request(second.app).post('/api/v1/search').set('Authorization', admin).send(body).expect(200);
    assert.equal(shared.body.cached, true);
    assert.deepEqual(shared.body.results, fresh.body.results);
  });

  it('a hung, then dead Redis: requests still answer (no limits, no cache), and limits return with Redis', async () => {
    const own = await startRedisServer();
    try {
      const env = { REDIS_URL: own.url, REDIS_KEY_PREFIX: 'faulty:', RATE_LIMIT_REQUESTS_PER_MINUTE: '4' };
      const replica = await harness.gatewayWith(env);
      const search = () =>
        request(replica.app)
          .post('/api/v1/search')
          .set('Authorization', admin)
          .send({ query: 'parse the search query', mode: 'keyword' });
      assert.equal((await search()).status, 200);
      own.pause();
      for (let attempt = 0; attempt < 6; attempt++) {
        const response = await search();
        assert.equal(response.status, 200, 'over the limit, but the limit cannot be counted: let through');
        assert.equal(response.body.cached ?? false, false);
      }
      own.resume();
      await own.stop();
      for (let attempt = 0; attempt < 3; attempt++) assert.equal((await search()).status, 200);

      const back = await startRedisServer({ port: own.port });
      try {
        // The client reconnects on its own and the circuit closes after its reset time (5 s).
        let statuses: number[] = [];
        for (let round = 0; round < 40 && !statuses.includes(429); round++) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          statuses = [];
          for (let attempt = 0; attempt < 5; attempt++) statuses.push((await search()).status);
        }
        assert.ok(statuses.includes(429), `limits enforced again: ${statuses.join(',')}`);
      } finally {
        await back.stop();
      }
    } finally {
      await own.stop();
    }
  });
});
