import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { connectRedis, type SharedRedis } from '../../../services/core/src/adapters/redis/redis-connection.js';
import { MemoryResponseCache } from '../../../services/core/src/adapters/response-cache/memory.response-cache.js';
import { RedisResponseCache } from '../../../services/core/src/adapters/response-cache/redis.response-cache.js';
import { DependencyError } from '../../../services/core/src/errors.js';
import { createLogger } from '../../../services/core/src/logging.js';
import { responseCacheContract, type CachedValue } from '../../../services/core/src/testing/response-cache.contract.js';
import { startRedisServer, type RedisServer } from '../../support/redis.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'redis-test',
    level: 'info',
    format: 'json',
    stream: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  });
  return { logger, lines };
}

describe('ResponseCache (memory)', function () {
  responseCacheContract({
    open: (ttlMs) => Promise.resolve(new MemoryResponseCache<CachedValue>({ maxEntries: 100, ttlMs })),
  });
});

describe('ResponseCache (Redis)', function () {
  this.timeout(60_000);
  let server: RedisServer;
  const connections: SharedRedis[] = [];
  let prefix = 0;
  const open = async (url: string, ttlMs: number) => {
    const redis = await connectRedis({ url, logger: capturingLogger().logger });
    connections.push(redis);
    return new RedisResponseCache<CachedValue>({ redis, keyPrefix: `test${++prefix}:`, ttlMs });
  };

  before(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    for (const redis of connections.splice(0)) await redis.close();
  });
  after(() => server?.stop());

  responseCacheContract({
    open: (ttlMs) => open(server.url, ttlMs),
    openUnreachable: async () => {
      const doomed = await startRedisServer();
      const cache = await open(doomed.url, 60_000);
      await doomed.stop();
      return cache;
    },
  });

  it('two connections (two gateway replicas) with one prefix share entries; another prefix does not see them', async () => {
    const first = await open(server.url, 60_000);
    const redis = await connectRedis({ url: server.url, logger: capturingLogger().logger });
    connections.push(redis);
    const sameInstallation = new RedisResponseCache<CachedValue>({ redis, keyPrefix: `test${prefix}:`, ttlMs: 60_000 });
    const otherInstallation = new RedisResponseCache<CachedValue>({ redis, keyPrefix: 'other:', ttlMs: 60_000 });
    const shared: CachedValue = { mode: 'keyword', results: [{ path: 'a.ts', score: 1, lines: [1, 2] }] };
    await first.set('k', shared);
    assert.deepEqual(await sameInstallation.get('k'), shared);
    assert.equal(await otherInstallation.get('k'), undefined);
  });

  it('a hung Redis costs one timeout, then the circuit fails fast; one log line; it recovers when Redis answers', async () => {
    const hung = await startRedisServer();
    try {
      const { logger, lines } = capturingLogger();
      const redis = await connectRedis({ url: hung.url, logger, commandTimeoutMs: 200 });
      connections.push(redis);
      const cache = new RedisResponseCache<CachedValue>({ redis, keyPrefix: 'hung:', ttlMs: 60_000 });
      await cache.set('k', { mode: 'keyword', results: [] });
      hung.pause();
      const started = performance.now();
      for (let attempt = 0; attempt < 20; attempt++) assert.equal(await cache.get('k'), undefined);
      // 3 timeouts open the circuit; the other 17 reads fail at once.
      assert.ok(performance.now() - started < 3_000, `20 reads took ${Math.round(performance.now() - started)} ms`);
      assert.equal(lines.filter((line) => String(line.message).startsWith('redis unavailable')).length, 1);
      hung.resume();
      await new Promise((resolve) => setTimeout(resolve, 5_500)); // the circuit's reset time
      let back: CachedValue | undefined;
      for (let attempt = 0; attempt < 20 && !back; attempt++) {
        back = await cache.get('k');
        if (!back) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.deepEqual(back, { mode: 'keyword', results: [] });
    } finally {
      await hung.stop();
    }
  });

  it('authenticates with REDIS_PASSWORD, kept out of the URL, and refuses to start with a wrong one', async () => {
    const guarded = await startRedisServer({ password: 'redis-pass-7c1e' });
    try {
      const redis = await connectRedis({
        url: guarded.url,
        password: 'redis-pass-7c1e',
        logger: capturingLogger().logger,
      });
      connections.push(redis);
      const cache = new RedisResponseCache<CachedValue>({ redis, keyPrefix: 'auth:', ttlMs: 60_000 });
      await cache.set('k', { mode: 'keyword', results: [] });
      assert.deepEqual(await cache.get('k'), { mode: 'keyword', results: [] });
      // Refused at once with the reason, not after the start timeout.
      await assert.rejects(
        connectRedis({ url: guarded.url, password: 'wrong', logger: capturingLogger().logger, startTimeoutMs: 20_000 }),
        (error: unknown) =>
          error instanceof DependencyError &&
          /refused the password/.test(error.message) &&
          !error.message.includes('wrong'),
      );
      await assert.rejects(
        connectRedis({ url: guarded.url, logger: capturingLogger().logger, startTimeoutMs: 20_000 }),
        /refused the password/,
      );
    } finally {
      await guarded.stop();
    }
  });

  it('refuses to start when REDIS_URL names a Redis that does not answer, with the URL but not its password', async () => {
    const doomed = await startRedisServer();
    const url = `redis://:s3cret-password@127.0.0.1:${doomed.port}`;
    await doomed.stop();
    await assert.rejects(
      connectRedis({ url, logger: capturingLogger().logger, startTimeoutMs: 1_000 }),
      (error: unknown) =>
        error instanceof DependencyError &&
        /did not answer in 1 s/.test(error.message) &&
        !error.message.includes('s3cret'),
    );
  });
});
