/**
 * The index settings MyRAGDB needs, and the part of them a server still lacks (pure): `init` sends only what
 * differs, so a restart with unchanged settings enqueues no settings task and re-indexes nothing.
 */
import type { Settings } from 'meilisearch';
import { MAX_LIMIT } from './keyword-documents.js';

/** Hits one search may return: path globs over-fetch up to eight times the largest limit. */
export const MAX_TOTAL_HITS = MAX_LIMIT * 8;

/**
 * Code needs exact identifiers: no typos on symbols or paths (nor numbers), one typo only from 6 letters in prose;
 * identifier-like query tokens are sent as phrases, which Meilisearch never typo-matches (see meilisearch.query.ts).
 * Ranking: more query words, fewer typos, closer together, in a better attribute (symbol, then path, then content),
 * exact over prefix; the id breaks remaining ties so equal scores come back in a stable order.
 */
export const MEILISEARCH_SETTINGS = {
  searchableAttributes: ['symbol', 'pathWords', 'content', 'words'],
  filterableAttributes: ['repository', 'language', 'pathPrefixes'],
  sortableAttributes: ['id'],
  displayedAttributes: ['id', 'path'],
  rankingRules: ['words', 'typo', 'proximity', 'attributeRank', 'exactness', 'wordPosition', 'sort'],
  typoTolerance: {
    enabled: true,
    minWordSizeForTypos: { oneTypo: 6, twoTypos: 10 },
    disableOnAttributes: ['symbol', 'pathWords'],
    disableOnNumbers: true,
  },
  // No facet search or facet counts are asked for: skip building their structures.
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
