/**
 * Retries on cockatiel (retry + backoff + circuit breaker in one well-kept package, timers that fake-timers can
 * drive). Our part: the backoff formulas the product specifies, retryable classification, and a log line for
 * every retry with the attempt number and the delay.
 */
import { DelegateBackoff, handleWhen, retry } from 'cockatiel';
import type { Logger } from '../logging.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { isRetryableError } from './retryable-error.js';

export type Jitter = 'none' | 'full' | 'equal';

export interface ExponentialBackoff {
  kind: 'exponential';
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: Jitter;
}
export interface LinearBackoff {
  kind: 'linear';
  initialDelayMs: number;
  incrementMs: number;
  maxDelayMs: number;
}
export type BackoffStrategy = ExponentialBackoff | LinearBackoff;

/** 1 s, 2 s, 4 s … capped at 60 s; equal jitter keeps at least half of each delay so a down store is not hammered. */
export const DEFAULT_BACKOFF: ExponentialBackoff = {
  kind: 'exponential',
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  factor: 2,
  jitter: 'equal',
};
export const DEFAULT_MAX_RETRIES = 5;

/**
 * Delay before retry number `attempt` (1-based), pure. Full jitter: uniform in [0, d); equal jitter: [d/2, d).
 * `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(strategy: BackoffStrategy, attempt: number, random: () => number = Math.random): number {
  if (strategy.kind === 'linear') {
    return Math.min(strategy.maxDelayMs, strategy.initialDelayMs + strategy.incrementMs * (attempt - 1));
  }
  const ceiling = Math.min(strategy.maxDelayMs, strategy.initialDelayMs * strategy.factor ** (attempt - 1));
  switch (strategy.jitter) {
    case 'none':
      return ceiling;
    case 'full':
      return Math.floor(random() * ceiling);
    case 'equal':
      return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
  }
}

export interface RetryPolicy {
  /** Names the operation in logs, e.g. `chroma.query`. */
  operation: string;
  logger: Logger;
  /** Retries after the first attempt. */
  maxRetries?: number;
  backoff?: BackoffStrategy;
  isRetryable?: (error: unknown) => boolean;
  /** Each attempt goes through this breaker: an open circuit fails fast instead of calling the store. */
  circuitBreaker?: CircuitBreaker;
  random?: () => number;
}

export interface RetryContext {
  /** 0 for the first call, then 1, 2, … for retries. */
  attempt: number;
  signal: AbortSignal;
}

function buildPolicy(policy: RetryPolicy) {
  const strategy = policy.backoff ?? DEFAULT_BACKOFF;
  const maxRetries = policy.maxRetries ?? DEFAULT_MAX_RETRIES;
  const classify = policy.isRetryable ?? isRetryableError;
  const cockatielPolicy = retry(
    handleWhen((error) => classify(error)),
    {
      maxAttempts: maxRetries,
      backoff: new DelegateBackoff<{ attempt: number }>((context) =>
        backoffDelay(strategy, context.attempt, policy.random),
      ),
    },
  );
  cockatielPolicy.onRetry((event) => {
    policy.logger.warn('retrying after a transient failure', {
      operation: policy.operation,
      attempt: event.attempt,
      max_retries: maxRetries,
      delay_ms: event.delay,
      error: 'error' in event ? event.error : undefined,
    });
  });
  cockatielPolicy.onGiveUp((event) => {
    policy.logger.error('giving up after retries', {
      operation: policy.operation,
      retries: maxRetries,
      error: 'error' in event ? event.error : undefined,
    });
  });
  return cockatielPolicy;
}

/** Runs `fn` now, retrying retryable failures; the last error propagates unchanged. */
export function withRetry<T>(
  fn: (context: RetryContext) => Promise<T> | T,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  const breaker = policy.circuitBreaker;
  return buildPolicy(policy).execute((context) => (breaker ? breaker.execute(() => fn(context)) : fn(context)), signal);
}

/** Wraps a function so every call is retried under `policy`. */
export function retrying<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  policy: RetryPolicy,
): (...args: A) => Promise<R> {
  const built = buildPolicy(policy);
  const breaker = policy.circuitBreaker;
  return (...args: A) => built.execute(() => (breaker ? breaker.execute(() => fn(...args)) : fn(...args)));
}

type AsyncMethodName<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T] &
  string;

/**
 * Method-wrapping form for store clients: returns an object whose listed async methods are retried (logged as
 * `<operation>.<method>`), the others passed through, `this` preserved.
 */
export function withRetryMethods<T extends object, K extends AsyncMethodName<T>>(
  target: T,
  methods: readonly K[],
  policy: RetryPolicy,
): T {
  const wrapped = new Map<PropertyKey, unknown>();
  for (const method of methods) {
    const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
    wrapped.set(
      method,
      retrying((...args: unknown[]) => original.apply(target, args), {
        ...policy,
        operation: `${policy.operation}.${method}`,
      }),
    );
  }
  return new Proxy(target, {
    get(object, property, receiver) {
      return wrapped.has(property) ? wrapped.get(property) : Reflect.get(object, property, receiver);
    },
  });
}
