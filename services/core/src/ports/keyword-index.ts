import type { Chunk, ScoredId, SearchFilter } from '../domain/chunk.js';

export interface KeywordQuery {
  text: string;
  limit: number;
  filter: SearchFilter;
}

/** Per-chunk keyword documents (same ids as vectors). */
export interface KeywordIndex {
  readonly name: string;
  /** Creates indexes/settings if missing; idempotent. */
  init(): Promise<void>;
  upsert(chunks: readonly Chunk[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  deleteRepository(repository: string): Promise<void>;
  search(query: KeywordQuery): Promise<ScoredId[]>;
  /** Cheap reachability probe for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
