import { identifierWords } from '../../../core/src/domain/identifiers.js';

/**
 * The identifier a short query may name, normalised to its lower-case words run together: `parseQuery`,
 * `parse_query` and `parse query` all give `parsequery`. Longer queries are questions, not names: undefined.
 */
export function queryIdentifier(query: string): string | undefined {
  const words = identifierWords(query);
  return words.length >= 1 && words.length <= 3 ? words.join('') : undefined;
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
