import type { Chunk, ScoredId, SearchFilter } from '../domain/chunk.js';

export interface KeywordQuery {
  text: string;
  limit: number;
  filter: SearchFilter;
}

/** Per-chunk keyword documents (same ids as vectors). */
export interface KeywordIndex {
  readonly name: string;
  /**
   * Where, and in which document format, this index keeps documents (engine, index, format version). The catalog
   * records it per repository; a sync into an index whose `store` differs writes the repository's documents again
   * from the catalog, so switching engines or indexes never leaves a repository unsearchable.
   */
  readonly store: string;
  /** Creates indexes/settings if missing; idempotent. */
  init(): Promise<void>;
  upsert(chunks: readonly Chunk[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  deleteRepository(repository: string): Promise<void>;
  /** Ids of every document the index holds for the repository (any order). */
  documentIds(repository: string): Promise<string[]>;
  search(query: KeywordQuery): Promise<ScoredId[]>;
  /** Cheap reachability probe for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
