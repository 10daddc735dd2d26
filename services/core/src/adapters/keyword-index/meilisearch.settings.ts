/**
 * The index settings MyRAGDB needs, and the part of them a server still lacks (pure): `init` sends only what
 * differs, so a restart with unchanged settings enqueues no settings task and re-indexes nothing.
 */
import type { Settings } from 'meilisearch';
import { MAX_LIMIT } from './keyword-documents.js';

/**
 * Most hits one term request returns: the candidate cap of a search (`meilisearch.keyword-index.ts`) and the
 * largest limit's over-fetch for path globs both stay under it.
 */
export const MAX_TOTAL_HITS = MAX_LIMIT * 8;

/**
 * MyRAGDB ranks with BM25 itself (`bm25.ts`): Meilisearch counts the chunks holding each lexeme and finds the
 * candidates, returned with the fields that weigh the lexemes in them (`meilisearch.query.ts`). Lexemes are matched
 * whole, so typo tolerance, prefix search and word proximity are turned off: they cost indexing time and memory and
 * would change no result. The ranking rules only order the candidates of a capped request (more lexemes first, then
 * symbol matches, then path, then content; then id).
 */
export const MEILISEARCH_SETTINGS = {
  searchableAttributes: ['symbolTerms', 'pathTerms', 'contentTerms'],
  filterableAttributes: ['id', 'repository', 'language', 'pathPrefixes', 'file'],
  sortableAttributes: ['id'],
  displayedAttributes: [
    'id',
    'path',
    'file',
    'tokens',
    'fileTokens',
    'fileChunks',
    'symbolTerms',
    'pathTerms',
    'contentBloom',
  ],
  rankingRules: ['words', 'attributeRank', 'sort'],
  typoTolerance: { enabled: false },
  prefixSearch: 'disabled',
  proximityPrecision: 'byAttribute',
  // No facet search is asked for: skip building its structures.
  facetSearch: false,
  pagination: { maxTotalHits: MAX_TOTAL_HITS },
} satisfies Settings;

/** Settings whose attribute lists Meilisearch may return in another order. */
const UNORDERED: ReadonlySet<string> = new Set([
  'filterableAttributes',
  'sortableAttributes',
  'displayedAttributes',
  'disableOnAttributes',
]);

function sameValue(wanted: unknown, current: unknown, unordered: boolean): boolean {
  if (Array.isArray(wanted)) {
    if (!Array.isArray(current) || current.length !== wanted.length) return false;
    const wantedItems: unknown[] = wanted;
    const currentItems: unknown[] = current;
    const [a, b] = unordered ? [[...wantedItems].sort(), [...currentItems].sort()] : [wantedItems, currentItems];
    return a.every((item, index) => sameValue(item, b[index], false));
  }
  if (wanted !== null && typeof wanted === 'object') {
    if (current === null || typeof current !== 'object') return false;
    return Object.entries(wanted).every(([key, value]) =>
      sameValue(value, (current as Record<string, unknown>)[key], UNORDERED.has(key)),
    );
  }
  return wanted === current;
}

/** The settings of `wanted` that `current` does not already have, or undefined when it has them all. */
export function settingsToUpdate(current: Settings, wanted: Settings = MEILISEARCH_SETTINGS): Settings | undefined {
  const update = Object.fromEntries(
    Object.entries(wanted).filter(
      ([key, value]) => !sameValue(value, (current as Record<string, unknown>)[key], UNORDERED.has(key)),
    ),
  ) as Settings;
  return Object.keys(update).length > 0 ? update : undefined;
}
