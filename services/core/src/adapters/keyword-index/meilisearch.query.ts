/**
 * How a keyword query becomes Meilisearch search requests, and how their hits become one ranking (pure).
 *
 * Measured on Meilisearch 1.50: it reads only the first 10 words of `q`; a quoted phrase matches exactly (no typo,
 * no prefix) but is never dropped by a matching strategy; the `last` strategy drops words from the end; the
 * `frequency` strategy returned nothing for "the parse" when both words were in the index. So MyRAGDB decides which
 * words to drop itself, the way the Postgres adapter does, in at most two requests:
 *  1. one multi-search with the precise query (every term must match; identifier-like tokens such as `parseQuery`,
 *     `get_user_name` or `HTTPServer` as phrases of their words, which match the identifier written in any style and
 *     never its one-letter neighbours: `getUser` is not `setUser`) and, when there are several terms, a count of
 *     the chunks each term matches;
 *  2. only when the precise query found fewer hits than asked: the relaxed query, the terms that match something,
 *     rarest first, as plain words with the `last` strategy, so the common words go first.
 * Precise hits rank above relaxed ones, as the Postgres adapter ranks AND matches above OR matches.
 */
import { identifierWords } from '../../domain/identifiers.js';

/** Meilisearch ignores query words past the tenth. */
export const MAX_QUERY_WORDS = 10;

// A query token keeps `_` so `get_user_name` stays one identifier; other punctuation separates.
const QUERY_TOKEN = /[\p{L}\p{N}_]+/gu;

/**
 * Words that carry no meaning in a question; dropped first when the query has more than MAX_QUERY_WORDS words.
 * Short on purpose: code words such as `get`, `new`, `for` or `return` are searched.
 */
const FILLER_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the of to in on at by is are was were be been do does did we i you our my your it its this that these ' +
    'those and or with from as how what where when which who why there here me us can could should would'
  ).split(' '),
);

/** One query token: its words, and whether it looks like an identifier (several words, or `_` inside). */
export interface MeilisearchQueryTerm {
  words: string[];
  identifier: boolean;
}

export function meilisearchQueryTerms(text: string): MeilisearchQueryTerm[] {
  const seen = new Set<string>();
  const terms: MeilisearchQueryTerm[] = [];
  for (const raw of text.match(QUERY_TOKEN) ?? []) {
    const words = identifierWords(raw);
    const key = words.join(' ');
    if (words.length === 0 || seen.has(key)) continue;
    seen.add(key);
    terms.push({ words, identifier: words.length > 1 });
  }
  return terms;
}

/** At most `budget` words: filler words go first, then terms from the end; the query's order is kept. */
export function withinWordBudget(terms: readonly MeilisearchQueryTerm[], budget = MAX_QUERY_WORDS) {
  const count = (list: readonly MeilisearchQueryTerm[]) => list.reduce((sum, term) => sum + term.words.length, 0);
  let kept = [...terms];
  if (count(kept) > budget) {
    kept = kept.filter((term) => !isFiller(term));
  }
  const result: MeilisearchQueryTerm[] = [];
  let used = 0;
  for (const term of kept) {
    const room = budget - used;
    if (room <= 0) break;
    const words = term.words.slice(0, room);
    result.push({ words, identifier: term.identifier && words.length > 1 });
    used += words.length;
  }
  return result;
}

/** A term as an exact phrase: no typo, and no prefix match even as the last word (`do` must not count `docs`). */
export function termQuery(term: MeilisearchQueryTerm): string {
  return `"${term.words.join(' ')}"`;
}

const isFiller = (term: MeilisearchQueryTerm) => !term.identifier && FILLER_WORDS.has(term.words[0]!);

/** The terms of `text` within Meilisearch's word budget; empty when it has no words. */
export function searchTerms(text: string): MeilisearchQueryTerm[] {
  return withinWordBudget(meilisearchQueryTerms(text));
}

/** Every term, identifiers as phrases: matched with the `all` strategy. */
export function preciseQuery(terms: readonly MeilisearchQueryTerm[]): string {
  return terms.map((term) => (term.identifier ? termQuery(term) : term.words[0])).join(' ');
}

/**
 * The fallback query: terms that match some chunk (`counts[i]` chunks for `terms[i]`), rarest first and filler
 * words last, as plain words, for the `last` strategy (which drops words from the end and needs the first to match); undefined for a single term (the precise query covered it) or when no term matches.
 */
export function relaxedQuery(terms: readonly MeilisearchQueryTerm[], counts: readonly number[]): string | undefined {
  const present = terms
    .map((term, index) => ({ term, count: counts[index] ?? 0, index }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => Number(isFiller(a.term)) - Number(isFiller(b.term)) || a.count - b.count || a.index - b.index);
  if (terms.length < 2 || present.length === 0) return undefined;
  return present.flatMap((entry) => entry.term.words).join(' ');
}

export interface RankedHit {
  id: string;
  path: string;
  /** Meilisearch's `_rankingScore`, in (0, 1]. */
  score: number;
}

/**
 * One ranking from the precise and relaxed hits: precise first (score 1 + s), then relaxed hits not already
 * there (score s), keeping only paths `keep` accepts, at most `limit`. Scores stay positive and descending.
 */
export function mergeRankedHits(
  precise: readonly RankedHit[],
  relaxed: readonly RankedHit[],
  limit: number,
  keep: (path: string) => boolean = () => true,
): Array<{ id: string; score: number }> {
  const merged = new Map<string, number>();
  const take = (hits: readonly RankedHit[], tier: number) => {
    for (const hit of hits) {
      if (merged.size >= limit) return;
      if (!merged.has(hit.id) && keep(hit.path)) merged.set(hit.id, tier + Math.max(hit.score, Number.EPSILON));
    }
  };
  take(precise, 1);
  take(relaxed, 0);
  return [...merged].map(([id, score]) => ({ id, score }));
}
