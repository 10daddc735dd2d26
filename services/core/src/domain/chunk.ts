/** A searchable unit of a file: what every store holds under the same id. */
export interface Chunk {
  /** Deterministic from (repository, path, content hash, ordinal): the same chunk has the same id in every store. */
  id: string;
  repository: string;
  /** POSIX path relative to the repository root. */
  path: string;
  language: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** Enclosing symbol such as `Router.handle`, when the chunker knows it. */
  symbol?: string;
  content: string;
  /** sha256 of `content`, hex: the embedding cache key together with the model id. */
  contentHash: string;
}

/** Filters every search leg honours. */
export interface SearchFilter {
  repositories?: string[];
  languages?: string[];
  /** POSIX globs on `path`, e.g. `src/**\/*.ts`. */
  pathGlobs?: string[];
}

/** One store's answer for a chunk: its id and the store's own score (higher is better). */
export interface ScoredId {
  id: string;
  score: number;
}
