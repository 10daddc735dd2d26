/**
 * Retry pacing for the work queue, as client-go's default controller rate limiter: the larger of a per-item
 * exponential backoff (one key failing does not slow the others) and an overall token bucket (many keys failing
 * together cannot flood the API server). Pure: callers pass the current time.
 */
export interface RateLimiter {
  /** Delay in ms before `key` may be retried, counting this call as one more failure. */
  when(key: string, nowMs: number): number;
  /** The key succeeded: its backoff starts over. */
  forget(key: string): void;
  failures(key: string): number;
}

export class ItemExponentialBackoff implements RateLimiter {
  private readonly failuresByKey = new Map<string, number>();

  constructor(
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  when(key: string): number {
    const failures = this.failuresByKey.get(key) ?? 0;
    this.failuresByKey.set(key, failures + 1);
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  forget(key: string): void {
    this.failuresByKey.delete(key);
  }

  failures(key: string): number {
    return this.failuresByKey.get(key) ?? 0;
  }
}

/** `ratePerSecond` tokens per second, at most `burst` saved up; a reservation may go into debt (it then waits). */
export class TokenBucket {
  private tokens: number;
  private lastMs: number | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes one token; answers how long to wait until it is really available. */
  reserve(nowMs: number): number {
    if (this.lastMs !== undefined) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.ratePerSecond) / 1000);
    }
    this.lastMs = nowMs;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1000);
  }
}

export class ControllerRateLimiter implements RateLimiter {
  constructor(
    private readonly backoff: ItemExponentialBackoff,
    private readonly bucket: TokenBucket,
  ) {}

  when(key: string, nowMs: number): number {
    return Math.max(this.backoff.when(key), this.bucket.reserve(nowMs));
  }

  forget(key: string): void {
    this.backoff.forget(key);
  }

  failures(key: string): number {
    return this.backoff.failures(key);
  }
}

export function defaultControllerRateLimiter(): ControllerRateLimiter {
  return new ControllerRateLimiter(new ItemExponentialBackoff(50, 300_000), new TokenBucket(10, 100));
}

/** Exponential backoff with full jitter for reconnect loops: a random delay in [0, min(max, base·2^attempt)). */
export function jitteredBackoff(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}
