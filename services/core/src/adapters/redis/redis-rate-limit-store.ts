import type { Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import type { SharedRedis } from './redis-connection.js';

/** Makes the store of one named limiter; each limiter needs its own (express-rate-limit refuses a shared one). */
export type RateLimitStoreFactory = (limiter: string) => Store;

/** Counters in Redis under `<prefix>ratelimit:<limiter>:`, shared by every replica that uses the same Redis. */
export function redisRateLimitStores(redis: SharedRedis, keyPrefix: string): RateLimitStoreFactory {
  return (limiter) =>
    new RedisStore({
      prefix: `${keyPrefix}ratelimit:${limiter}:`,
      sendCommand: (...args: string[]) => redis.command(`rate limit ${limiter}`, (client) => client.sendCommand(args)),
    });
}
