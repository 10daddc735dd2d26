/**
 * What MyRAGDB stores in Meilisearch per chunk, and how writes are cut into requests (pure).
 */
import type { Chunk } from '../../domain/chunk.js';
import { ValidationError } from '../../errors.js';
import { chunkWords } from './keyword-documents.js';

export interface MeilisearchDocument {
  id: string;
  repository: string;
  language: string;
  /** Returned with each hit: path globs are matched on it. */
  path: string;
  /** The path and each of its leading directories (`src`, `src/api`, `src/api/x.ts`): path-glob pre-filter. */
  pathPrefixes: string[];
  /** The symbol as written and as words (`parseQuery parse query`). */
  symbol: string;
  /** The path as written and as words. */
  pathWords: string;
  content: string;
  /** Identifier-split words of the content: `parse query` finds `parseQuery`. */
  words: string;
}

/** Meilisearch document ids: letters, digits, `-` and `_`, at most 511 bytes. */
const DOCUMENT_ID = /^[A-Za-z0-9_-]{1,511}$/;

export function pathPrefixes(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}

export function meilisearchDocument(chunk: Chunk): MeilisearchDocument {
  if (!DOCUMENT_ID.test(chunk.id)) {
    throw new ValidationError(`chunk id ${JSON.stringify(chunk.id)}: Meilisearch ids are letters, digits, - and _`);
  }
  const words = chunkWords(chunk);
  return {
    id: chunk.id,
    repository: chunk.repository,
    language: chunk.language,
    path: chunk.path,
    pathPrefixes: pathPrefixes(chunk.path),
    symbol: chunk.symbol ? `${chunk.symbol} ${words.symbol}` : '',
    pathWords: `${chunk.path} ${words.path}`,
    content: chunk.content,
    words: words.content,
  };
}

export interface BatchLimits {
  /** Documents per request. */
  maxDocuments: number;
  /** Bytes of JSON per request, well under the server's payload limit (`--http-payload-size-limit`, 100 MB). */
  maxBytes: number;
}

/**
 * Cuts `items` into batches within both limits, measuring each item's JSON. An item larger than `maxBytes` alone
 * is refused before anything is written.
 */
export function batchesWithin<T>(items: readonly T[], limits: BatchLimits, describe: (item: T) => string): T[][] {
  const sizes = items.map((item) => Buffer.byteLength(JSON.stringify(item)) + 1);
  sizes.forEach((size, index) => {
    if (size > limits.maxBytes) {
      throw new ValidationError(
        `${describe(items[index]!)} is ${size} bytes as JSON, over the ${limits.maxBytes}-byte request limit`,
      );
    }
  });
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 2;
  items.forEach((item, index) => {
    const size = sizes[index]!;
    if (batch.length > 0 && (batch.length >= limits.maxDocuments || bytes + size > limits.maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 2;
    }
    batch.push(item);
    bytes += size;
  });
  if (batch.length > 0) batches.push(batch);
  return batches;
}
