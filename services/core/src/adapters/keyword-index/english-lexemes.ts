/**
 * The lexemes of a chunk and of a query the way PostgreSQL's `simple` and `english` text search configurations
 * make them, computed in JavaScript for keyword engines without them (Meilisearch): exact tokens lower-cased, and
 * English words through the Snowball (Porter2) stemmer with the Snowball stop words dropped. The Postgres adapter
 * lets the database do this; both engines then score the same lexemes with the same BM25 (`bm25.ts`).
 */
import stemPorter2 from 'wink-porter2-stemmer';
import type { Chunk } from '../../domain/chunk.js';
import { chunkWords, queryWords, TOKEN } from './keyword-documents.js';

/**
 * Snowball's English stop words, the list PostgreSQL's `english` dictionary uses (`english.stop`), so a question
 * loses the same words on either engine. A short list of data rather than a dependency: the npm stop-word lists
 * are longer and drop words that matter in code (`get`, `make`, `take`).
 */
const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself they them their theirs themselves what which who whom this that these those am is are ' +
    'was were be been being have has had having do does did doing a an the and but if or because as until while ' +
    'of at by for with about against between into through during before after above below to from up down in out ' +
    'on off over under again further then once here there when where why how all any both each few more most ' +
    'other some such no nor not only own same so than too very s t can will just don should now'
  ).split(' '),
);

/** The English lexeme of a word, or undefined for a stop word. */
export function englishLexeme(word: string): string | undefined {
  const lower = word.toLowerCase();
  if (ENGLISH_STOP_WORDS.has(lower)) return undefined;
  // The stemmer is for Latin-script words; anything else (digits, other scripts) stays as it is, as in PostgreSQL.
  return /^[a-z]+$/.test(lower) ? stemPorter2(lower) : lower;
}

/** Every token lower-cased (`simple`). */
function simpleLexemes(text: string): string[] {
  return (text.match(TOKEN) ?? []).map((token) => token.toLowerCase());
}

/** Every non-stop word stemmed (`english`). */
function englishLexemes(text: string): string[] {
  return (text.match(TOKEN) ?? []).flatMap((token) => englishLexeme(token) ?? []);
}

/** A chunk's lexemes per field, with repeats (the count is the term frequency), and its length in words. */
export interface ChunkLexemes {
  /** The symbol as typed and its words stemmed (weight 4 in BM25). */
  symbol: string[];
  /** The path's words stemmed (weight 2). */
  path: string[];
  /** The content as typed, and its identifier-split words stemmed (weight 1 each). */
  content: string[];
  /** Length in words for BM25: the stemmed words of the content. */
  tokens: number;
}

export function chunkLexemes(chunk: Chunk): ChunkLexemes {
  const words = chunkWords(chunk);
  const symbolText = `${chunk.symbol ?? ''} ${words.symbol}`;
  const contentWords = englishLexemes(words.content);
  return {
    symbol: [...simpleLexemes(symbolText), ...englishLexemes(symbolText)],
    path: englishLexemes(words.path),
    content: [...simpleLexemes(chunk.content), ...contentWords],
    tokens: contentWords.length,
  };
}

/** At most this many lexemes per query, as the Postgres adapter keeps. */
const MAX_QUERY_LEXEMES = 16;

/** The distinct lexemes a query searches for (see `queryWords`), in query order. */
export function queryLexemes(text: string): string[] {
  const lexemes = new Set<string>();
  for (const word of queryWords(text)) {
    const lexeme = word.stem ? englishLexeme(word.text) : word.text;
    if (lexeme) lexemes.add(lexeme);
  }
  return [...lexemes].slice(0, MAX_QUERY_LEXEMES);
}
