/**
 * Circuit breaker for store clients, on cockatiel: after `failureThreshold` consecutive dependency failures the
 * circuit opens and calls fail fast with CircuitOpenError; after `resetTimeoutMs` one trial call is let through
 * (half-open) and its outcome closes or reopens the circuit. Only retryable (dependency) failures count: a
 * validation error from a healthy store must not open it.
 */
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  CircuitState as CockatielCircuitState,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { CircuitOpenError } from '../errors.js';
import type { Logger } from '../logging.js';
import { isRetryableError } from './retryable-error.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** The dependency, e.g. `chroma`; appears in logs and in CircuitOpenError. */
  name: string;
  logger: Logger;
  failureThreshold?: number;
  resetTimeoutMs?: number;
  isFailure?: (error: unknown) => boolean;
}

export const DEFAULT_FAILURE_THRESHOLD = 5;
/**
 * One trial call every 5 s while open: a store back from a restart serves searches again within seconds (the fault
 * matrix measured 25-29 s of needless degraded answers with 30 s), and one slow trial per leg in 5 s costs nothing.
 */
export const DEFAULT_RESET_TIMEOUT_MS = 5_000;

export interface CircuitBreaker {
  readonly name: string;
  readonly state: CircuitState;
  execute<T>(fn: () => Promise<T> | T): Promise<T>;
}

const STATES: Record<CockatielCircuitState, CircuitState> = {
  [CockatielCircuitState.Closed]: 'closed',
  [CockatielCircuitState.Open]: 'open',
  [CockatielCircuitState.HalfOpen]: 'half-open',
  // Isolation is manual and unused here; to callers it behaves as open.
  [CockatielCircuitState.Isolated]: 'open',
};

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { name, logger } = options;
  const failureThreshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
  const resetTimeoutMs = options.resetTimeoutMs ?? DEFAULT_RESET_TIMEOUT_MS;
  const isFailure = options.isFailure ?? isRetryableError;
  const policy = circuitBreaker(
    handleWhen((error) => isFailure(error)),
    { halfOpenAfter: resetTimeoutMs, breaker: new ConsecutiveBreaker(failureThreshold) },
  );
  policy.onBreak((event) => {
    logger.warn('circuit opened', {
      dependency: name,
      failure_threshold: failureThreshold,
      reset_timeout_ms: resetTimeoutMs,
      error: 'error' in event ? event.error : undefined,
    });
  });
  policy.onHalfOpen(() => logger.info('circuit half-open: trying one call', { dependency: name }));
  policy.onReset(() => logger.info('circuit closed', { dependency: name }));

  return {
    name,
    get state() {
      return STATES[policy.state];
    },
    async execute<T>(fn: () => Promise<T> | T): Promise<T> {
      try {
        return await policy.execute(() => fn());
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw new CircuitOpenError(name, `${name} is unavailable (circuit open); failing fast`, { cause: error });
        }
        throw error;
      }
    },
  };
}
