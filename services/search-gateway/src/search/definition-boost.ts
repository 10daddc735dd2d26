import { identifierWords } from '../../../core/src/domain/identifiers.js';
import { classifyQuery } from './hybrid-ranking.js';
import type { FusedHit } from './reciprocal-rank-fusion.js';

/**
 * The identifier an identifier query (see `classifyQuery`) names, normalised to its lower-case words run together:
 * `parseQuery`, `parse_query` and `parse query` all give `parsequery`. Questions name none: undefined.
 */
export function queryIdentifier(query: string): string | undefined {
  const words = identifierWords(query);
  return words.length >= 1 && classifyQuery(query) === 'identifier' ? words.join('') : undefined;
}

/**
 * Whether a chunk's enclosing symbol is the identifier: the whole symbol or its last member (`Router.handle`,
 * `Parser::parse_query`, `User#name`), compared word-normalised, so `parse query` names `parseQuery`.
 */
export function symbolNames(symbol: string | undefined, identifier: string): boolean {
  if (!symbol) return false;
  const normalise = (name: string) => identifierWords(name).join('');
  const member = symbol.split(/\.|::|#/).at(-1) ?? symbol;
  return normalise(member) === identifier || normalise(symbol) === identifier;
}

/**
 * Definitions of the identifier the query names rank first, in their fused order, each marked `symbolMatch`; the
 * other hits follow in theirs. A lookup is answered by the defining file: an adding boost (as RRF scores go) can
 * still lose to a file that imports and calls the name in many places. Returns a new list; `isDefinition` is asked
 * only for hits, in order.
 */
export function promoteDefinitions<T extends FusedHit>(hits: readonly T[], isDefinition: (hit: T) => boolean): T[] {
  const definitions: T[] = [];
  const others: T[] = [];
  for (const hit of hits) {
    if (isDefinition(hit)) definitions.push({ ...hit, symbolMatch: true });
    else others.push(hit);
  }
  return [...definitions, ...others];
}
