import { createHash } from 'node:crypto';

export interface ChunkIdentity {
  repository: string;
  /** POSIX path relative to the repository root. */
  path: string;
  /** sha256 hex of the chunk content. */
  contentHash: string;
  /**
   * Occurrence of this content hash within the file (0 for the first). Counting per hash rather than per position
   * keeps a chunk's id stable when the file changes elsewhere, so only changed chunks are rewritten.
   */
  ordinal: number;
}

/**
 * The id a chunk has in every store: 32 hex characters (128 bits of sha256), valid as a Meilisearch document id,
 * a Chroma id and a Postgres text key.
 */
export function chunkId(identity: ChunkIdentity): string {
  return createHash('sha256')
    .update([identity.repository, identity.path, identity.contentHash, String(identity.ordinal)].join('\0'))
    .digest('hex')
    .slice(0, 32);
}

/** sha256 hex of a chunk's content: the embedding cache key together with the model id. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}
