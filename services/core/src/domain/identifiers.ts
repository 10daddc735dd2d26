/**
 * Identifier splitting for keyword search: code names such as `getUserName`, `parse_query` or `HTTPServer` become
 * the words `get user name`, `parse query`, `http server`, so a query in plain words matches them too.
 */

// A token is a run of letters and digits; everything else (`_`, `-`, `.`, `$`, spaces, punctuation) separates.
const TOKEN = /[\p{L}\p{N}]+/gu;
// Inside a token: an upper-case run that stops before Upper+lower (`HTTP` in `HTTPServer`), a capitalised or
// lower-case word, or a bare digit run; digits stay with the word before them (`utf8`, `base64`, `sha256`).
const WORD = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+\p{N}*|\p{Lu}+\p{N}*|[\p{L}\p{N}]+/gu;

/** The lower-case words of one identifier, e.g. `XMLHttpRequest2` → `['xml', 'http', 'request2']`. */
export function identifierWords(identifier: string): string[] {
  const words: string[] = [];
  for (const token of identifier.match(TOKEN) ?? []) {
    for (const word of token.match(WORD) ?? []) words.push(word.toLowerCase());
  }
  return words;
}

/**
 * Every identifier in `text` split into lower-case words, joined by single spaces, in order of appearance:
 * `getUserName(parse_query)` → `get user name parse query`. Plain words pass through lower-cased.
 */
export function splitIdentifiers(text: string): string {
  return identifierWords(text).join(' ');
}
