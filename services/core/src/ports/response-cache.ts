/**
 * Answers kept for a while under a key that changes whenever they could change (the search cache's keys carry the
 * index generation), so entries are never invalidated, only replaced or expired. A cache that cannot answer is a
 * miss, never an error: it only ever saves work.
 */
export interface ResponseCache<T> {
  readonly name: string;
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<void>;
}
