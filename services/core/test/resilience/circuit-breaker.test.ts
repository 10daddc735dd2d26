import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { CircuitOpenError, DependencyError, NotFoundError } from '../../src/errors.js';
import { createCircuitBreaker } from '../../src/resilience/circuit-breaker.js';
import { captureLogger } from '../support/capture-logger.js';

describe('circuit breaker', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.uninstall());

  const down = () => Promise.reject(new DependencyError('chroma', 'connect ECONNREFUSED'));
  const up = () => Promise.resolve('ok');

  function setup() {
    const captured = captureLogger();
    const breaker = createCircuitBreaker({
      name: 'chroma',
      logger: captured.logger,
      failureThreshold: 3,
      resetTimeoutMs: 10_000,
    });
    return { breaker, ...captured };
  }

  it('opens after the threshold of consecutive failures and then fails fast without calling', async () => {
    const { breaker, records } = setup();
    for (let index = 0; index < 3; index += 1) {
      assert.equal(breaker.state, 'closed');
      await assert.rejects(breaker.execute(down), DependencyError);
    }
    assert.equal(breaker.state, 'open');
    let called = false;
    const error = await breaker.execute(async () => (called = true)).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof CircuitOpenError);
    assert.equal(error.dependency, 'chroma');
    assert.equal(error.message, 'chroma is unavailable (circuit open); failing fast');
    assert.equal(called, false);
    const opened = records().find((record) => record.message === 'circuit opened');
    assert.equal(opened?.level, 'warn');
    assert.equal(opened?.dependency, 'chroma');
  });

  it('a success before the threshold resets the count', async () => {
    const { breaker } = setup();
    await assert.rejects(breaker.execute(down));
    await assert.rejects(breaker.execute(down));
    assert.equal(await breaker.execute(up), 'ok');
    await assert.rejects(breaker.execute(down));
    await assert.rejects(breaker.execute(down));
    assert.equal(breaker.state, 'closed');
  });

  it('half-opens after the reset timeout and closes on a successful trial', async () => {
    const { breaker, records } = setup();
    for (let index = 0; index < 3; index += 1) await assert.rejects(breaker.execute(down));
    await clock.tickAsync(9_999);
    await assert.rejects(breaker.execute(up), CircuitOpenError);
    await clock.tickAsync(1);
    let stateDuringTrial: string | undefined;
    const trial = async () => {
      await Promise.resolve();
      stateDuringTrial = breaker.state;
      return 'ok';
    };
    assert.equal(await breaker.execute(trial), 'ok');
    assert.equal(stateDuringTrial, 'half-open');
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(
      records().map((record) => record.message),
      ['circuit opened', 'circuit half-open: trying one call', 'circuit closed'],
    );
  });

  it('reopens when the half-open trial fails', async () => {
    const { breaker } = setup();
    for (let index = 0; index < 3; index += 1) await assert.rejects(breaker.execute(down));
    await clock.tickAsync(10_000);
    await assert.rejects(breaker.execute(down), DependencyError);
    assert.equal(breaker.state, 'open');
    await assert.rejects(breaker.execute(up), CircuitOpenError);
  });

  it('does not count errors that say nothing about the dependency’s health', async () => {
    const { breaker } = setup();
    for (let index = 0; index < 5; index += 1) {
      await assert.rejects(
        breaker.execute(() => Promise.reject(new NotFoundError('no such collection'))),
        NotFoundError,
      );
    }
    assert.equal(breaker.state, 'closed');
  });
});
