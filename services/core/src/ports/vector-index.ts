import type { ScoredId } from '../domain/chunk.js';

export interface VectorRecord {
  id: string;
  embedding: number[];
  path: string;
  language: string;
}

/** The largest `limit` a vector query takes; adapters refuse more, so callers that over-fetch cap at it. */
export const MAX_VECTOR_QUERY_LIMIT = 1_000;

export interface VectorQuery {
  embedding: number[];
  /** 1 to MAX_VECTOR_QUERY_LIMIT. */
  limit: number;
  /** Repositories to search; a filtered vector query is 5-6x slower than a collection per repository. */
  repositories: readonly string[];
  languages?: readonly string[];
}

/** Vectors of one embedding space (model id + dimension); repositories are kept apart by the adapter. */
export interface VectorIndex {
  readonly name: string;
  readonly modelId: string;
  readonly dimension: number;
  upsert(repository: string, records: readonly VectorRecord[]): Promise<void>;
  delete(repository: string, ids: readonly string[]): Promise<void>;
  deleteRepository(repository: string): Promise<void>;
  /** Higher score is more similar (1 - cosine distance). */
  query(query: VectorQuery): Promise<ScoredId[]>;
  count(repository: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
