import { createHash } from 'node:crypto';
import type { ResponseCache } from '../../ports/response-cache.js';
import type { SharedRedis } from '../redis/redis-connection.js';

export interface RedisResponseCacheOptions {
  redis: SharedRedis;
  /** Installation prefix (REDIS_KEY_PREFIX) plus what the cache holds, e.g. `myragdb:search:`. */
  keyPrefix: string;
  ttlMs: number;
}

/**
 * The cache shared by every gateway replica. Keys are hashed (a long query makes a long key) and values are JSON
 * with Redis' own expiry, so Redis evicts by its maxmemory policy and nothing here needs to sweep.
 */
export class RedisResponseCache<T> implements ResponseCache<T> {
  readonly name = 'redis';

  constructor(private readonly options: RedisResponseCacheOptions) {}

  async get(key: string): Promise<T | undefined> {
    const stored = await this.options.redis
      .command('search cache read', (client) => client.get(this.redisKey(key)))
      .catch(() => null);
    if (stored === null) return undefined;
    try {
      return JSON.parse(stored) as T;
    } catch {
      return undefined; // not written by this cache (a shared Redis): a miss, and the next write replaces it
    }
  }

  async set(key: string, value: T): Promise<void> {
    const stored = JSON.stringify(value);
    await this.options.redis
      .command('search cache write', (client) =>
        client.set(this.redisKey(key), stored, { expiration: { type: 'PX', value: this.options.ttlMs } }),
      )
      .catch(() => undefined);
  }

  private redisKey(key: string): string {
    return `${this.options.keyPrefix}${createHash('sha256').update(key).digest('base64url')}`;
  }
}
