/**
 * How a keyword search on Meilisearch gathers what BM25 needs (pure parts): Meilisearch counts the chunks holding
 * each query lexeme and finds the candidates; these functions weigh the lexemes in each candidate from its fields and
 * estimate the corpus from a sample, so `rankBm25` ranks them as it ranks the Postgres adapter's.
 */
import { type CorpusStatistics, estimateFileFrequency, type TermStatistics } from './bm25.js';
import { LexemeBloom } from './lexeme-bloom.js';
import type { MeilisearchDocument } from './meilisearch.documents.js';

/**
 * Field weights of a term frequency, as in the Postgres adapter: a lexeme in the symbol counts 4 times, in the path
 * 2 times, in the content once (the content field holds the typed tokens and the stemmed words, each counting once).
 */
export const FIELD_WEIGHTS = { symbolTerms: 4, pathTerms: 2, contentTerms: 1 } as const;

/** A lexeme as an exact phrase: no typo, no prefix, and Meilisearch reads no further word of it. */
export function lexemeQuery(lexeme: string): string {
  return `"${lexeme}"`;
}

/** What a candidate is fetched with: enough to weigh every query lexeme in it without another request. */
export const CANDIDATE_FIELDS = [
  'id',
  'path',
  'file',
  'tokens',
  'fileTokens',
  'symbolTerms',
  'pathTerms',
  'contentBloom',
] as const satisfies ReadonlyArray<keyof MeilisearchDocument>;
export type CandidateHit = Pick<MeilisearchDocument, (typeof CANDIDATE_FIELDS)[number]>;

function occurrences(terms: readonly string[], lexeme: string): number {
  let count = 0;
  for (const term of terms) if (term === lexeme) count++;
  return count;
}

/**
 * The field-weighted frequency of each lexeme in a candidate: each occurrence in the symbol counts 4, in the path 2,
 * plus 1 for the content. The content counts once whether the lexeme is there once or often (BM25's saturation
 * makes repeats worth little, and the content's lexemes are stored as a set); a lexeme in the symbol or path is in
 * the content too, as the Postgres adapter's document has it. `fetchedFor` are the lexemes whose search returned the
 * candidate: all a document of an older format, without a Bloom filter, is known to hold while the indexer rewrites
 * it after an upgrade (searches rank a little worse until then, and do not fail).
 */
export function candidateFrequencies(
  hit: Omit<CandidateHit, 'contentBloom'> & { contentBloom?: string },
  lexemes: readonly string[],
  fetchedFor: ReadonlySet<string>,
): number[] {
  const content = hit.contentBloom === undefined ? undefined : new LexemeBloom(hit.contentBloom);
  const symbol = hit.symbolTerms.split(' ');
  const path = hit.pathTerms.split(' ');
  return lexemes.map((lexeme) => {
    const fielded =
      FIELD_WEIGHTS.symbolTerms * occurrences(symbol, lexeme) + FIELD_WEIGHTS.pathTerms * occurrences(path, lexeme);
    const held = fielded > 0 || fetchedFor.has(lexeme) || content?.has(lexeme) === true;
    return held ? fielded + FIELD_WEIGHTS.contentTerms : 0;
  });
}

/** One chunk of a sample: its length and its file's chunk count. */
export interface SampledChunk {
  tokens: number;
  fileChunks: number;
}

/**
 * The corpus of `chunks` chunks estimated from a uniform sample of them (ids are hashes, so the first chunks by id
 * are one): the mean length, and the number of files as `chunks × mean(1 / chunks of the chunk's file)`. Exact when
 * the sample is the whole corpus.
 */
export function estimateCorpus(chunks: number, sample: readonly SampledChunk[]): CorpusStatistics {
  if (chunks === 0 || sample.length === 0) return { chunks, files: chunks, tokens: 0 };
  let tokens = 0;
  let fileShare = 0;
  for (const chunk of sample) {
    tokens += chunk.tokens;
    fileShare += 1 / Math.max(chunk.fileChunks, 1);
  }
  return {
    chunks,
    files: Math.max(1, Math.round((chunks * fileShare) / sample.length)),
    tokens: (chunks * tokens) / sample.length,
  };
}

/**
 * A lexeme's statistics: its chunk count, and its file count, exact when every chunk holding it was fetched
 * (`files` distinct among them), else estimated from the chunk count.
 */
export function termStatistics(
  count: number,
  fetched: { chunks: number; files: number } | undefined,
  corpus: CorpusStatistics,
): TermStatistics {
  const fileFrequency = fetched && fetched.chunks >= count ? fetched.files : estimateFileFrequency(count, corpus);
  return { chunkFrequency: count, fileFrequency, weight: 1 };
}
