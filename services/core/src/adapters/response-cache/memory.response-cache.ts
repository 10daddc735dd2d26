import { LRUCache } from 'lru-cache';
import type { ResponseCache } from '../../ports/response-cache.js';

/** Per-process LRU with a time to live: the cache of one gateway replica. */
export class MemoryResponseCache<T extends object> implements ResponseCache<T> {
  readonly name = 'memory';
  private readonly entries: LRUCache<string, T>;

  constructor(options: { maxEntries: number; ttlMs: number }) {
    this.entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  get(key: string): Promise<T | undefined> {
    return Promise.resolve(this.entries.get(key));
  }

  set(key: string, value: T): Promise<void> {
    this.entries.set(key, value);
    return Promise.resolve();
  }
}
