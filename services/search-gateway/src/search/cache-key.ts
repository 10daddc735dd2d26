import type { SearchRequest } from '../api/search.schemas.js';

/**
 * The cache key of a validated search: the request in a canonical form (query whitespace collapsed, filter lists
 * sorted and de-duplicated, every field present) prefixed with the index generation, so two spellings of the same
 * search share an entry and any write to the index makes every older entry unreachable. Case is kept: an
 * identifier's case is meaningful to the keyword leg.
 */
export function searchCacheKey(request: SearchRequest, indexGeneration: string): string {
  const canonical = [
    request.query.trim().replace(/\s+/g, ' '),
    request.mode,
    request.limit,
    request.offset,
    canonicalList(request.repositories),
    canonicalList(request.languages),
    canonicalList(request.pathGlobs),
    request.groupByFile,
  ];
  return `${indexGeneration}\u0000${JSON.stringify(canonical)}`;
}

function canonicalList(values: readonly string[] | undefined): string[] | null {
  return values ? [...new Set(values)].sort() : null;
}
