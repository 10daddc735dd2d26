import assert from 'node:assert/strict';
import { queryTerms } from '../../src/search/query-terms.js';
import { buildSnippet } from '../../src/search/snippet.js';

const highlighted = (snippet: { text: string; highlights: Array<{ start: number; end: number }> }) =>
  snippet.highlights.map((range) => snippet.text.slice(range.start, range.end));

describe('queryTerms', () => {
  it('keeps identifiers whole, splits them into words, and joins a plain-words query into one identifier', () => {
    assert.deepEqual(queryTerms('parseQuery'), ['parsequery', 'parse', 'query']);
    assert.deepEqual(queryTerms('parse query'), ['parsequery', 'parse', 'query']);
  });

  it('drops stop words and one-letter tokens', () => {
    assert.deepEqual(queryTerms('where do we retry a HTTP call?'), ['retry', 'http', 'call']);
  });
});

describe('buildSnippet', () => {
  const content = [
    'import { tokenize } from "./lexer";',
    '',
    '/** Parses the user query. */',
    'export function parseQuery(input: string) {',
    '  const tokens = tokenize(input);',
    '  return tokens;',
    '}',
    '',
    'export const other = 1;',
  ].join('\n');

  it('picks the window with the most distinct terms and reports file line numbers', () => {
    const snippet = buildSnippet(content, 10, queryTerms('parseQuery tokenize'), { maxLines: 3, maxLineLength: 240 });
    // Lines 12-14 hold `Parse`, `query`, `parseQuery` and `tokenize`: four distinct terms, more than any other window.
    assert.equal(snippet.startLine, 12);
    assert.equal(snippet.endLine, 14);
    assert.equal(snippet.text, content.split('\n').slice(2, 5).join('\n'));
    assert.deepEqual(highlighted(snippet), ['Parse', 'query', 'parseQuery', 'tokenize']);
  });

  it('highlights the whole identifier rather than its words, case-insensitively', () => {
    const snippet = buildSnippet(content, 1, queryTerms('parse query'), { maxLines: 2, maxLineLength: 240 });
    assert.equal(snippet.startLine, 3);
    assert.deepEqual(highlighted(snippet), ['Parse', 'query', 'parseQuery']);
  });

  it('falls back to the first non-blank lines when nothing matches (a semantic-only hit)', () => {
    const snippet = buildSnippet('\n\nfirst\nsecond\nthird', 5, ['absent'], { maxLines: 2, maxLineLength: 240 });
    assert.deepEqual(snippet, { text: 'first\nsecond', startLine: 7, endLine: 8, highlights: [] });
  });

  it('trims trailing blank lines from the window', () => {
    const snippet = buildSnippet('match\n\n\nlater', 1, ['match'], { maxLines: 3, maxLineLength: 240 });
    assert.deepEqual(snippet, { text: 'match', startLine: 1, endLine: 1, highlights: [{ start: 0, end: 5 }] });
  });

  it('cuts very long lines and keeps highlight ranges inside the text', () => {
    const line = `${'x'.repeat(50)}needle${'y'.repeat(10_000)}needle`;
    const snippet = buildSnippet(line, 1, ['needle'], { maxLines: 6, maxLineLength: 100 });
    assert.equal(snippet.text.length, 100);
    assert.deepEqual(highlighted(snippet), ['needle']);
  });

  it('treats regex characters in terms literally', () => {
    const snippet = buildSnippet('const $el = query.$el;', 1, queryTerms('$el'));
    assert.deepEqual(highlighted(snippet), ['$el', '$el']);
  });
});
