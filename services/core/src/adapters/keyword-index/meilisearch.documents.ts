/**
 * What MyRAGDB stores in Meilisearch per chunk, and how writes are cut into requests (pure).
 */
import type { Chunk } from '../../domain/chunk.js';
import { ValidationError } from '../../errors.js';
import { chunkLexemes } from './english-lexemes.js';
import { lexemeBloom } from './lexeme-bloom.js';

export interface MeilisearchDocument {
  id: string;
  repository: string;
  language: string;
  /** Returned with each hit: path globs are matched on it. */
  path: string;
  /** The path and each of its leading directories (`src`, `src/api`, `src/api/x.ts`): path-glob pre-filter. */
  pathPrefixes: string[];
  /** `repository:path`: the chunks of one file, for its length. */
  file: string;
  /** The chunk's length in words (BM25). */
  tokens: number;
  /** Its file's length in words: the sum over the file's chunks, kept current on every write. */
  fileTokens: number;
  /** How many chunks its file has: corpus statistics estimate the number of files from it. */
  fileChunks: number;
  /**
   * Lexemes (see `english-lexemes.ts`), space-separated, one field per BM25 weight: the search matches them. The
   * symbol and path keep repeats (a search counts them); the content's are distinct, as BM25 counts them once.
   */
  symbolTerms: string;
  pathTerms: string;
  contentTerms: string;
  /** The content lexemes as a Bloom filter (`lexeme-bloom.ts`): which query lexemes a candidate holds. */
  contentBloom: string;
}

/** Meilisearch document ids: letters, digits, `-` and `_`, at most 511 bytes. */
const DOCUMENT_ID = /^[A-Za-z0-9_-]{1,511}$/;

export function pathPrefixes(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}

export function fileKey(chunk: Pick<Chunk, 'repository' | 'path'>): string {
  return `${chunk.repository}:${chunk.path}`;
}

/** A chunk's document; `fileTokens` and `fileChunks` start as the chunk's own and are set by the write. */
export function meilisearchDocument(chunk: Chunk): MeilisearchDocument {
  if (!DOCUMENT_ID.test(chunk.id)) {
    throw new ValidationError(`chunk id ${JSON.stringify(chunk.id)}: Meilisearch ids are letters, digits, - and _`);
  }
  const lexemes = chunkLexemes(chunk);
  const content = [...new Set(lexemes.content)];
  return {
    id: chunk.id,
    repository: chunk.repository,
    language: chunk.language,
    path: chunk.path,
    pathPrefixes: pathPrefixes(chunk.path),
    file: fileKey(chunk),
    tokens: lexemes.tokens,
    fileTokens: lexemes.tokens,
    fileChunks: 1,
    symbolTerms: lexemes.symbol.join(' '),
    pathTerms: lexemes.path.join(' '),
    contentTerms: content.join(' '),
    contentBloom: lexemeBloom(content),
  };
}

/** What a file's length is computed from: each of its chunks' id and length. */
export type FileMember = Pick<MeilisearchDocument, 'id' | 'file' | 'tokens'>;

/** Each file's length and chunk count over its members (pure). */
export function fileLengths(members: readonly FileMember[]): Map<string, { tokens: number; chunks: number }> {
  const files = new Map<string, { tokens: number; chunks: number }>();
  for (const member of members) {
    const file = files.get(member.file) ?? { tokens: 0, chunks: 0 };
    file.tokens += member.tokens;
    file.chunks += 1;
    files.set(member.file, file);
  }
  return files;
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
