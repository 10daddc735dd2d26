/**
 * The behaviour every ResponseCache adapter must have. Call inside a `describe` whose fixture makes a fresh, empty
 * cache per `open(ttlMs)` and, where the adapter has a store that can fail, one whose store is unreachable.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResponseCache } from '../ports/response-cache.js';

export interface CachedValue {
  mode: string;
  results: { path: string; score: number; lines: [number, number] }[];
  degraded?: string[];
}

export interface ResponseCacheContractFixture {
  open(ttlMs: number): Promise<ResponseCache<CachedValue>>;
  openUnreachable?(): Promise<ResponseCache<CachedValue>>;
}

const value = (path: string): CachedValue => ({
  mode: 'hybrid',
  results: [{ path, score: 0.5, lines: [3, 9] }],
});

export function responseCacheContract(fixture: ResponseCacheContractFixture): void {
  it('misses an unknown key, then returns what was stored', async () => {
    const cache = await fixture.open(60_000);
    assert.equal(await cache.get('generation-1\u0000["parseQuery"]'), undefined);
    await cache.set('generation-1\u0000["parseQuery"]', value('src/query.ts'));
    assert.deepEqual(await cache.get('generation-1\u0000["parseQuery"]'), value('src/query.ts'));
  });

  it('keeps keys apart however long or unusual, and a second write replaces the first', async () => {
    const cache = await fixture.open(60_000);
    const long = `generation-2\u0000${'where do we retry HTTP calls '.repeat(200)}`;
    await cache.set(long, value('src/retry.ts'));
    await cache.set(`${long}!`, value('src/other.ts'));
    await cache.set('ключ 検索 🔎', value('src/unicode.ts'));
    assert.deepEqual(await cache.get(long), value('src/retry.ts'));
    assert.deepEqual(await cache.get(`${long}!`), value('src/other.ts'));
    assert.deepEqual(await cache.get('ключ 検索 🔎'), value('src/unicode.ts'));
    await cache.set(long, value('src/replaced.ts'));
    assert.deepEqual(await cache.get(long), value('src/replaced.ts'));
  });

  it('forgets an entry once its time to live has passed', async () => {
    const cache = await fixture.open(150);
    await cache.set('short-lived', value('src/a.ts'));
    assert.deepEqual(await cache.get('short-lived'), value('src/a.ts'));
    await sleep(400);
    assert.equal(await cache.get('short-lived'), undefined);
  });

  if (fixture.openUnreachable) {
    it('answers a miss and accepts writes without throwing when its store is unreachable', async () => {
      const cache = await fixture.openUnreachable!();
      await cache.set('key', value('src/a.ts'));
      assert.equal(await cache.get('key'), undefined);
    });
  }
}
