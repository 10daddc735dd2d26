import { contentHash } from '../../../core/src/domain/chunk-id.js';

/** What of a chunk goes into its vector. */
export interface EmbeddableChunk {
  path: string;
  /** Enclosing symbol such as `Router.handle` or `Guide > Install`. */
  symbol?: string;
  content: string;
}

/**
 * The text embedded for a chunk: its path and enclosing symbol, then its content. A chunk cut from the middle of a
 * long function, or a method whose class is named only at the top of the file, still says where it is and what it
 * belongs to, and paths carry much of a question's vocabulary (`handler/redirect-handler.js`). Doc comments are part
 * of the content already: the chunker keeps a comment with the definition after it.
 */
export function embeddingText(chunk: EmbeddableChunk): string {
  return chunk.symbol ? `${chunk.path}\n${chunk.symbol}\n${chunk.content}` : `${chunk.path}\n${chunk.content}`;
}

/**
 * The embedding cache key of a chunk, with the model id: the hash of exactly the text embedded, so anything that
 * changes that text (content, path, symbol, or this format) embeds again and nothing else does.
 */
export function embeddingTextHash(chunk: EmbeddableChunk): string {
  return contentHash(embeddingText(chunk));
}
