import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ItemExponentialBackoff,
  TokenBucket,
  ControllerRateLimiter,
  jitteredBackoff,
} from '../../src/kube/rate-limiter.js';
import { WorkQueue } from '../../src/kube/work-queue.js';

const fastLimiter = () => new ControllerRateLimiter(new ItemExponentialBackoff(5, 40), new TokenBucket(1000, 1000));

describe('operator work queue', () => {
  it('dedupes a key added many times before a worker takes it', async () => {
    const queue = new WorkQueue(fastLimiter());
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), 'ns/a');
    assert.equal(await queue.get(), 'ns/b');
    assert.equal(queue.length, 0);
  });

  it('never hands a key to two workers; an add during processing re-queues it after done', async () => {
    const queue = new WorkQueue(fastLimiter());
    queue.add('ns/a');
    const key = await queue.get();
    queue.add('ns/a');
    assert.equal(queue.length, 0, 'a key being processed must not be queued again yet');
    let second: string | undefined;
    const waiting = queue.get().then((value) => (second = value));
    await sleep(5);
    assert.equal(second, undefined);
    queue.done(key!);
    await waiting;
    assert.equal(second, 'ns/a');
  });

  it('workers block until work arrives, and get undefined on shutdown', async () => {
    const queue = new WorkQueue(fastLimiter());
    const first = queue.get();
    queue.add('ns/x');
    assert.equal(await first, 'ns/x');
    const blocked = queue.get();
    queue.shutdown();
    assert.equal(await blocked, undefined);
    queue.add('ns/y');
    assert.equal(await queue.get(), undefined);
  });

  it('addAfter delays, and keeps only the earliest pending time per key', async () => {
    const queue = new WorkQueue(fastLimiter());
    queue.addAfter('ns/a', 1000);
    queue.addAfter('ns/a', 20);
    queue.addAfter('ns/a', 1000);
    const started = performance.now();
    assert.equal(await queue.get(), 'ns/a');
    const waited = performance.now() - started;
    assert.ok(waited >= 15 && waited < 900, `expected the 20 ms add to win, waited ${waited.toFixed(0)} ms`);
    queue.done('ns/a');
    await sleep(1100);
    assert.equal(queue.length, 0, 'the later adds for the same key were dropped');
    queue.shutdown();
  });

  it('rate-limited retries back off per key and forget resets the backoff', async () => {
    const queue = new WorkQueue(fastLimiter());
    queue.addRateLimited('ns/a');
    queue.addRateLimited('ns/a');
    assert.equal(queue.failures('ns/a'), 2);
    assert.equal(queue.failures('ns/b'), 0);
    assert.equal(await queue.get(), 'ns/a');
    queue.forget('ns/a');
    assert.equal(queue.failures('ns/a'), 0);
    queue.shutdown();
  });

  it('reports depth, adds, retries and durations to its metrics', async () => {
    const seen = { depth: [] as number[], added: 0, retried: 0, queued: 0, worked: 0 };
    const queue = new WorkQueue(fastLimiter(), {
      depth: (value) => seen.depth.push(value),
      added: () => (seen.added += 1),
      retried: () => (seen.retried += 1),
      queued: () => (seen.queued += 1),
      worked: () => (seen.worked += 1),
    });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.addRateLimited('c');
    queue.done((await queue.get())!);
    assert.equal(seen.added, 2);
    assert.equal(seen.retried, 1);
    assert.equal(seen.queued, 1);
    assert.equal(seen.worked, 1);
    assert.deepEqual(seen.depth.slice(0, 3), [1, 2, 1]);
    queue.shutdown();
  });
});

describe('operator rate limiters', () => {
  it('per-item exponential backoff doubles up to the cap, independently per key', () => {
    const backoff = new ItemExponentialBackoff(5, 100);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => backoff.when('a')),
      [5, 10, 20, 40, 80, 100],
    );
    assert.equal(backoff.when('b'), 5);
    backoff.forget('a');
    assert.equal(backoff.when('a'), 5);
  });

  it('the token bucket allows a burst, then paces at its rate, and refills with time', () => {
    const bucket = new TokenBucket(10, 3);
    assert.deepEqual(
      [0, 0, 0].map((now) => bucket.reserve(now)),
      [0, 0, 0],
    );
    assert.equal(bucket.reserve(0), 100);
    assert.equal(bucket.reserve(0), 200);
    assert.equal(bucket.reserve(1000), 0, 'a second later the bucket has refilled');
  });

  it('the controller limiter takes the larger delay of the two', () => {
    const limiter = new ControllerRateLimiter(new ItemExponentialBackoff(5, 1000), new TokenBucket(1, 1));
    assert.equal(limiter.when('a', 0), 5);
    assert.equal(limiter.when('b', 0), 1000, 'bucket empty: the overall limit wins over b’s first backoff');
  });

  it('jittered backoff stays within [0, min(max, base·2^attempt))', () => {
    assert.equal(
      jitteredBackoff(3, 100, 10_000, () => 0.999999),
      799,
    );
    assert.equal(
      jitteredBackoff(20, 100, 10_000, () => 0.5),
      5000,
    );
    assert.equal(
      jitteredBackoff(0, 100, 10_000, () => 0),
      0,
    );
  });
});
