import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { DependencyError, ValidationError } from '../../src/errors.js';
import {
  type BackoffStrategy,
  DEFAULT_BACKOFF,
  backoffDelay,
  retrying,
  withRetry,
  withRetryMethods,
} from '../../src/resilience/retry.js';
import { isRetryableError, isRetryableStatus } from '../../src/resilience/retryable-error.js';
import { createCircuitBreaker } from '../../src/resilience/circuit-breaker.js';
import { CircuitOpenError } from '../../src/errors.js';
import { captureLogger } from '../support/capture-logger.js';

const NO_JITTER: BackoffStrategy = { ...DEFAULT_BACKOFF, jitter: 'none' };

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
}

/** A call that fails `failures` times with `error`, then returns 'ok'; records the fake clock at each call. */
function flaky(failures: number, error: () => unknown = () => networkError('ECONNREFUSED')) {
  const calledAt: number[] = [];
  return {
    calledAt,
    fn: async () => {
      calledAt.push(Date.now());
      if (calledAt.length <= failures) throw error();
      return 'ok';
    },
  };
}

const gaps = (times: number[]) => times.slice(1).map((time, index) => time - (times[index] ?? 0));

describe('retry', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.uninstall());

  it('backs off exponentially from 1 s, doubling, capped at 60 s', async () => {
    const { logger } = captureLogger();
    const { fn, calledAt } = flaky(8);
    const result = withRetry(fn, { operation: 'pg.query', logger, maxRetries: 8, backoff: NO_JITTER });
    await clock.runAllAsync();
    assert.equal(await result, 'ok');
    assert.deepEqual(gaps(calledAt), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('does not call again before the delay has passed (no real sleeping)', async () => {
    const { logger } = captureLogger();
    const { fn, calledAt } = flaky(1);
    const result = withRetry(fn, { operation: 'pg.query', logger, backoff: NO_JITTER });
    await clock.tickAsync(999);
    assert.equal(calledAt.length, 1);
    await clock.tickAsync(1);
    assert.equal(calledAt.length, 2);
    assert.equal(await result, 'ok');
  });

  it('backs off linearly', async () => {
    const { logger } = captureLogger();
    const { fn, calledAt } = flaky(4);
    const linear: BackoffStrategy = { kind: 'linear', initialDelayMs: 500, incrementMs: 1_500, maxDelayMs: 3_000 };
    const result = withRetry(fn, { operation: 'chroma.upsert', logger, backoff: linear });
    await clock.runAllAsync();
    assert.equal(await result, 'ok');
    assert.deepEqual(gaps(calledAt), [500, 2_000, 3_000, 3_000]);
  });

  it('logs every retry with its attempt number and delay, and the give-up', async () => {
    const { logger, records } = captureLogger();
    const { fn } = flaky(10);
    const result = withRetry(fn, { operation: 'chroma.query', logger, maxRetries: 2, backoff: NO_JITTER });
    const settled = result.catch((error: unknown) => error);
    await clock.runAllAsync();
    const error = await settled;
    assert.equal((error as { code?: string }).code, 'ECONNREFUSED', 'the last error propagates unchanged');
    const retries = records().filter((record) => record.message === 'retrying after a transient failure');
    assert.deepEqual(
      retries.map((record) => [record.level, record.operation, record.attempt, record.delay_ms]),
      [
        ['warn', 'chroma.query', 1, 1_000],
        ['warn', 'chroma.query', 2, 2_000],
      ],
    );
    assert.match(JSON.stringify(retries[0]?.error), /ECONNREFUSED/);
    const gaveUp = records().find((record) => record.message === 'giving up after retries');
    assert.equal(gaveUp?.level, 'error');
  });

  it('stops at once on a non-retryable error', async () => {
    const { logger, records } = captureLogger();
    const { fn, calledAt } = flaky(5, () => new ValidationError('bad filter'));
    await assert.rejects(withRetry(fn, { operation: 'search', logger }), ValidationError);
    assert.equal(calledAt.length, 1);
    assert.equal(records().length, 0);
  });

  it('retrying() wraps a function and keeps its arguments', async () => {
    const { logger } = captureLogger();
    let calls = 0;
    const add = retrying(
      async (a: number, b: number) => {
        calls += 1;
        if (calls === 1) throw new DependencyError('pg', 'pool closed');
        return a + b;
      },
      { operation: 'add', logger, backoff: NO_JITTER },
    );
    const result = add(2, 3);
    await clock.runAllAsync();
    assert.equal(await result, 5);
    assert.equal(calls, 2);
  });

  it('withRetryMethods retries the listed methods with `this` intact and leaves the others alone', async () => {
    const { logger, records } = captureLogger();
    class Store {
      calls = 0;
      async query(text: string): Promise<string> {
        this.calls += 1;
        if (this.calls === 1) throw Object.assign(new Error('Service Unavailable'), { status: 503 });
        return `rows for ${text}`;
      }
      async close(): Promise<void> {
        throw networkError('ECONNRESET');
      }
    }
    const store = withRetryMethods(new Store(), ['query'], { operation: 'store', logger, backoff: NO_JITTER });
    const result = store.query('select 1');
    await clock.runAllAsync();
    assert.equal(await result, 'rows for select 1');
    assert.equal(store.calls, 2);
    assert.equal(records()[0]?.operation, 'store.query');
    await assert.rejects(store.close(), /ECONNRESET/);
    assert.equal(records().length, 1, 'close is not retried');
  });

  it('runs each attempt through a circuit breaker when given one', async () => {
    const { logger } = captureLogger();
    const breaker = createCircuitBreaker({ name: 'chroma', logger, failureThreshold: 2, resetTimeoutMs: 5_000 });
    const { fn, calledAt } = flaky(100);
    const settled = withRetry(fn, {
      operation: 'chroma.query',
      logger,
      maxRetries: 3,
      backoff: NO_JITTER,
      circuitBreaker: breaker,
    }).catch((error: unknown) => error);
    await clock.runAllAsync();
    // Two real calls open the circuit; the third and fourth attempts (at 3 s and 7 s) fail fast until it half-opens.
    assert.ok((await settled) instanceof Error);
    assert.equal(calledAt.length, 3, 'the call after the reset timeout is the half-open trial');
    assert.equal(breaker.state, 'open');
  });
});

describe('backoffDelay', () => {
  it('keeps full jitter in [0, d) and equal jitter in [d/2, d)', () => {
    for (const attempt of [1, 3, 10]) {
      const ceiling = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
      const full = { ...DEFAULT_BACKOFF, jitter: 'full' as const };
      const equal = { ...DEFAULT_BACKOFF, jitter: 'equal' as const };
      assert.equal(
        backoffDelay(full, attempt, () => 0),
        0,
      );
      assert.equal(
        backoffDelay(full, attempt, () => 0.999_999),
        ceiling - 1,
      );
      assert.equal(
        backoffDelay(equal, attempt, () => 0),
        ceiling / 2,
      );
      assert.equal(
        backoffDelay(equal, attempt, () => 0.999_999),
        ceiling - 1,
      );
      for (let sample = 0; sample < 200; sample += 1) {
        const delay = backoffDelay(equal, attempt);
        assert.ok(delay >= ceiling / 2 && delay < ceiling, `${delay} outside [${ceiling / 2}, ${ceiling})`);
      }
    }
  });

  it('defaults to 1 s initial, x2, 60 s cap', () => {
    assert.deepEqual(DEFAULT_BACKOFF, {
      kind: 'exponential',
      initialDelayMs: 1_000,
      maxDelayMs: 60_000,
      factor: 2,
      jitter: 'equal',
    });
  });
});

describe('isRetryableError', () => {
  it('trusts typed errors', () => {
    assert.equal(isRetryableError(new DependencyError('pg', 'down')), true);
    assert.equal(isRetryableError(new ValidationError('bad')), false);
  });

  it('retries transient network errors, also when wrapped as a cause', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'UND_ERR_SOCKET']) {
      assert.equal(isRetryableError(networkError(code)), true, code);
    }
    const fetchFailure = new TypeError('fetch failed', { cause: networkError('ECONNREFUSED') });
    assert.equal(isRetryableError(fetchFailure), true);
    assert.equal(isRetryableError(networkError('ENOENT')), false);
    assert.equal(isRetryableError(new Error('plain')), false);
    assert.equal(isRetryableError('string'), false);
  });

  it('retries HTTP 408/429/5xx but not other 4xx, 501 or 505', () => {
    assert.deepEqual(
      [400, 404, 408, 409, 429, 500, 501, 502, 503, 504, 505].filter(isRetryableStatus),
      [408, 429, 500, 502, 503, 504],
    );
    assert.equal(isRetryableError(Object.assign(new Error('x'), { response: { status: 429 } })), true);
    assert.equal(isRetryableError(Object.assign(new Error('x'), { statusCode: 404 })), false);
  });
});

describe('CircuitOpenError', () => {
  it('is a retryable dependency error', () => {
    const error = new CircuitOpenError('chroma', 'open');
    assert.equal(error.retryable, true);
    assert.equal(error.httpStatus, 503);
  });
});
