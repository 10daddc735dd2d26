import { createClient, ErrorReply } from 'redis';
import { DependencyError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { createCircuitBreaker } from '../../resilience/circuit-breaker.js';
import { redactText } from '../../redaction.js';

export type RedisClient = ReturnType<typeof newClient>;

export interface SharedRedis {
  /**
   * Runs one command. After 3 failures in a row (Redis down or too slow) the circuit opens and commands fail at once
   * for 5 s, so a hung Redis costs a request one timeout, not one per limiter. Failures are logged at most once a
   * minute, so an outage under load is one line, not one per request; callers go on without the answer.
   */
  command<T>(what: string, run: (client: RedisClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  /** AUTH password when the URL carries none (REDIS_PASSWORD). */
  password?: string;
  logger: Logger;
  /** A command without an answer in this time fails (default 500 ms): a hung Redis must not hang requests. */
  commandTimeoutMs?: number;
  /** How long the first connection may take before the start fails (default 30 s). */
  startTimeoutMs?: number;
}

const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * One client per process for the shared rate limits and search cache. A configured Redis must answer at start
 * (the rate limiter loads its scripts then, and a limiter that could not would let everything through until a
 * restart); afterwards commands fail fast while it is disconnected (no offline queue) and time out when it hangs,
 * so callers fall back instead of waiting, and it reconnects with backoff on its own. Nothing logged carries the
 * URL's password.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<SharedRedis> {
  const { logger } = options;
  const where = redactText(options.url);
  const client = newClient(options.url, options.password, options.commandTimeoutMs ?? 500);
  let lastReport = -Infinity;
  const reportFailure = (what: string, error: unknown) => {
    if (performance.now() - lastReport < FAILURE_LOG_INTERVAL_MS) return;
    lastReport = performance.now();
    logger.warn('redis unavailable: requests go on without shared rate limits and search cache', {
      redis: where,
      operation: what,
      error: error instanceof Error ? error.message : String(error),
    });
  };
  client.on('error', (error: Error) => reportFailure('connection', error));
  client.on('ready', () => {
    if (lastReport === -Infinity) return;
    lastReport = -Infinity;
    logger.info('redis reachable again', { redis: where });
  });

  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let onStartError: ((error: Error) => void) | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          const seconds = startTimeoutMs / 1000;
          reject(new DependencyError('redis', `REDIS_URL is set but Redis at ${where} did not answer in ${seconds} s`));
        }, startTimeoutMs);
        // A refused password does not get better with retries: say so at once instead of timing out.
        onStartError = (error) => {
          if (!(error instanceof ErrorReply) || !/WRONGPASS|NOAUTH|invalid password/i.test(error.message)) return;
          reject(
            new DependencyError('redis', `Redis at ${where} refused the password (REDIS_PASSWORD): ${error.message}`),
          );
        };
        client.on('error', onStartError);
      }),
    ]);
  } catch (error) {
    client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    if (onStartError) client.off('error', onStartError);
  }
  const breaker = createCircuitBreaker({
    name: 'redis',
    logger,
    failureThreshold: 3,
    resetTimeoutMs: 5_000,
    // Redis answered (e.g. NOSCRIPT after a restart, which the limiter handles by loading its script again): up.
    isFailure: (error) => !(error instanceof ErrorReply),
  });
  return {
    command: async (what, run) => {
      try {
        return await breaker.execute(() => run(client));
      } catch (error) {
        reportFailure(what, error);
        throw error;
      }
    },
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}

function newClient(url: string, password: string | undefined, commandTimeoutMs: number) {
  return createClient({
    url,
    ...(password === undefined ? {} : { password }),
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeoutMs, rejectInFlight: true },
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(5_000, 100 * 2 ** retries),
    },
  });
}
