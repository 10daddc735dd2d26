/**
 * What a keyword document holds besides the chunk text, and how a query becomes terms: shared by both keyword
 * adapters so Postgres FTS and Meilisearch index and match identifiers the same way.
 */
import { z } from 'zod';
import type { Chunk } from '../../domain/chunk.js';
import { identifierWords, splitIdentifiers } from '../../domain/identifiers.js';
import { parseValid } from '../../validation.js';
import type { KeywordQuery } from '../../ports/keyword-index.js';

/** A run of letters and digits: the token of every keyword document and query. */
export const TOKEN = /[\p{L}\p{N}]+/gu;
const MAX_IDENTIFIERS_CHARS = 8_000;
export const MAX_QUERY_CHARS = 2_000;
export const MAX_LIMIT = 1_000;
const MAX_QUERY_TERMS = 16;
/**
 * Longer query tokens are dropped: nothing indexable is that long (identifiers of 100 characters are unheard of),
 * and PostgreSQL refuses a tsquery lexeme over 2 KB ("word is too long in tsquery").
 */
export const MAX_QUERY_WORD_CHARS = 100;
/** Queries of at most this many words may name an identifier written as words (`parse query` → `parsequery`). */
const MAX_IDENTIFIER_WORDS = 6;

const chunkSchema = z.object({
  id: z.string().min(1).max(256),
  repository: z.string().min(1),
  path: z.string().min(1),
  language: z.string().min(1),
  startLine: z.number().int().min(1),
  endLine: z.number().int().min(1),
  symbol: z.string().optional(),
  content: z.string(),
  contentHash: z.string().min(1),
});

const querySchema = z.object({
  text: z.string().max(MAX_QUERY_CHARS),
  limit: z.number().int().min(1).max(MAX_LIMIT),
  filter: z.object({
    repositories: z.array(z.string()).optional(),
    languages: z.array(z.string()).optional(),
    pathGlobs: z.array(z.string().min(1)).optional(),
  }),
});

/** Validates chunks and keeps the last of any repeated id (one write per document). */
export function validChunks(chunks: readonly Chunk[]): Chunk[] {
  const byId = new Map<string, Chunk>();
  for (const chunk of chunks) {
    parseValid(chunkSchema, chunk, `chunk ${String((chunk as Partial<Chunk>)?.id)}`);
    byId.set(chunk.id, chunk);
  }
  return [...byId.values()];
}

export function validQuery(query: KeywordQuery): KeywordQuery {
  parseValid(querySchema, query, 'keyword query');
  return query;
}

/** Lower-cased distinct identifiers (3+ characters) of a chunk: the target of fragment (trigram) matches. */
export function chunkIdentifiers(chunk: Chunk): string {
  const seen = new Set<string>();
  for (const token of `${chunk.symbol ?? ''} ${chunk.content}`.match(TOKEN) ?? []) {
    if (token.length >= 3) seen.add(token.toLowerCase());
  }
  return [...seen].join(' ').slice(0, MAX_IDENTIFIERS_CHARS);
}

/** The identifier-split words of a chunk's symbol, path and content (`getUserName` → `get user name`). */
export function chunkWords(chunk: Chunk): { symbol: string; path: string; content: string } {
  return {
    symbol: splitIdentifiers(chunk.symbol ?? ''),
    path: splitIdentifiers(chunk.path),
    content: splitIdentifiers(chunk.content),
  };
}

/** One query token: as typed (lower-cased) and split into its words, e.g. `parsequery` / `parse query`. */
export interface QueryTerm {
  token: string;
  words: string[];
}

export function queryTerms(text: string): QueryTerm[] {
  const terms = new Map<string, QueryTerm>();
  for (const raw of text.match(TOKEN) ?? []) {
    if (raw.length > MAX_QUERY_WORD_CHARS) continue;
    const token = raw.toLowerCase();
    if (!terms.has(token)) terms.set(token, { token, words: identifierWords(raw) });
  }
  return [...terms.values()].slice(0, MAX_QUERY_TERMS);
}

/**
 * A word of a query before the store normalises it: `stem` words go through the English stemmer and stop-word list
 * (`redirects` → `redirect`, `the` → nothing); the others are exact identifier lexemes, as the chunk documents keep
 * them (`getusername`).
 */
export interface QueryWord {
  text: string;
  stem: boolean;
}

/**
 * The words a keyword query searches for: every word of every token (identifiers split, `getUserName` → get, user,
 * name) to be stemmed; each identifier as typed when it has several words or digits, or the query is one or two
 * tokens long (a lookup); and for a query of two to six words, those words run together, since `parse query` may
 * name `parseQuery`. Tokens over `MAX_QUERY_WORD_CHARS` are dropped.
 */
export function queryWords(text: string): QueryWord[] {
  const tokens = (text.match(TOKEN) ?? []).filter((token) => token.length <= MAX_QUERY_WORD_CHARS);
  const words = new Map<string, QueryWord>();
  const add = (word: QueryWord) => {
    const key = `${word.stem ? 's' : 'e'}:${word.text}`;
    if (!words.has(key)) words.set(key, word);
  };
  const lookup = tokens.length <= 2;
  const all: string[] = [];
  for (const token of tokens) {
    const parts = identifierWords(token);
    all.push(...parts);
    if (parts.length > 1 || /\p{N}/u.test(token) || lookup) add({ text: token.toLowerCase(), stem: false });
    for (const part of parts) add({ text: part, stem: true });
  }
  if (all.length >= 2 && all.length <= MAX_IDENTIFIER_WORDS) add({ text: all.join(''), stem: false });
  return [...words.values()].slice(0, MAX_QUERY_TERMS * 2);
}
