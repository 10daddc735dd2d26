import { identifierWords } from '../../../core/src/domain/identifiers.js';

// Words too common to be worth highlighting in a snippet; the keyword store has its own stop handling.
const STOPWORDS = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'do',
  'does',
  'for',
  'from',
  'how',
  'i',
  'in',
  'is',
  'it',
  'of',
  'on',
  'or',
  'the',
  'to',
  'we',
  'what',
  'when',
  'where',
  'which',
  'who',
  'why',
  'with',
]);

/**
 * Lower-case terms a snippet should highlight for `query`: each identifier as typed (`parsequery`), its words
 * (`parse`, `query`), and the words of the whole query run together (`parse query` → `parsequery`, for up to three words), so the
 * plain-words form of an identifier still lights up its definition. Longest first, so a highlight prefers
 * the whole identifier to one of its words.
 */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  const tokens = query.match(/[\p{L}\p{N}_$]+/gu) ?? [];
  for (const token of tokens) {
    terms.add(token.toLowerCase());
    for (const word of identifierWords(token)) terms.add(word);
  }
  // Only a short query can be an identifier typed as words; joining a sentence would highlight nothing useful.
  const words = identifierWords(query);
  if (words.length > 1 && words.length <= 3) terms.add(words.join(''));
  return [...terms].filter((term) => term.length >= 2 && !STOPWORDS.has(term)).sort((a, b) => b.length - a.length);
}
