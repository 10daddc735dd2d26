/**
 * How a keyword search on Meilisearch gathers what BM25 needs (pure parts): Meilisearch counts and finds the chunks
 * holding each query lexeme; these functions turn its highlights into field-weighted term frequencies and estimate
 * the corpus from a sample, so `rankBm25` ranks them as it ranks the Postgres adapter's.
 */
import { type CorpusStatistics, estimateFileFrequency, type TermStatistics } from './bm25.js';

/**
 * Field weights of a term frequency, as in the Postgres adapter: a lexeme in the symbol counts 4 times, in the path
 * 2 times, in the content once (the content field holds the typed tokens and the stemmed words, each counting once).
 */
export const FIELD_WEIGHTS = { symbolTerms: 4, pathTerms: 2, contentTerms: 1 } as const;

/** A lexeme as an exact phrase: no typo, no prefix, and Meilisearch reads no further word of it. */
export function lexemeQuery(lexeme: string): string {
  return `"${lexeme}"`;
}

/** Marks a highlighted lexeme in `_formatted` (never part of a lexeme, which is letters and digits). */
export const HIGHLIGHT_MARK = '\u0001';
/** The attributes highlighted to count a lexeme's occurrences: short, so highlighting them is cheap. */
export const COUNTED_FIELDS = ['symbolTerms', 'pathTerms'] as const;

/**
 * The field-weighted frequency of the (one-lexeme) query in a hit, from its `_formatted` highlights: each mark in the
 * symbol counts 4, in the path 2, plus 1 for the content. Counting content occurrences would need the content's
 * match positions, whose computation costs ~0.2 ms per hit on Meilisearch 1.50 (10x fetching the hit), so the
 * content counts once whether the lexeme is there once or often: BM25's saturation makes repeats worth little.
 */
export function weightedFrequency(formatted: Record<string, unknown> | undefined): number {
  const marks = (field: (typeof COUNTED_FIELDS)[number]) => {
    const text = formatted?.[field];
    return typeof text === 'string' ? text.split(HIGHLIGHT_MARK).length - 1 : 0;
  };
  return FIELD_WEIGHTS.symbolTerms * marks('symbolTerms') + FIELD_WEIGHTS.pathTerms * marks('pathTerms') + 1;
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
