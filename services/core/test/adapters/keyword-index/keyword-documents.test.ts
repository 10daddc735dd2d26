import assert from 'node:assert/strict';
import { MAX_QUERY_WORD_CHARS, queryTerms, queryWords } from '../../../src/adapters/keyword-index/keyword-documents.js';

const texts = (words: { text: string; stem: boolean }[], stem: boolean) =>
  words.filter((word) => word.stem === stem).map((word) => word.text);

describe('keyword query words', () => {
  it('stems every word of a question and keeps no exact forms for plain words', () => {
    const words = queryWords('Where are redirects followed to another host?');
    assert.deepEqual(texts(words, true), ['where', 'are', 'redirects', 'followed', 'to', 'another', 'host']);
    assert.deepEqual(texts(words, false), []);
  });

  it('keeps identifiers exact besides their words, and joins a short query of words', () => {
    const words = queryWords('parseCacheControlHeader');
    assert.deepEqual(texts(words, false), ['parsecachecontrolheader']);
    assert.deepEqual(texts(words, true), ['parse', 'cache', 'control', 'header']);
    assert.deepEqual(texts(queryWords('parse cache control header'), false), ['parsecachecontrolheader']);
    assert.deepEqual(texts(queryWords('Pool'), false), ['pool'], 'a one-word lookup keeps its exact form');
    assert.ok(texts(queryWords('utf8 decoder in the stream reader'), false).includes('utf8'));
  });

  it('drops tokens too long for any index (700 CJK characters), keeping the rest', () => {
    const long = '漢'.repeat(700);
    assert.deepEqual(queryWords(long), []);
    assert.deepEqual(texts(queryWords(`${long} pool`), true), ['pool']);
    assert.equal(queryWords('x'.repeat(MAX_QUERY_WORD_CHARS)).length > 0, true);
    assert.deepEqual(queryTerms(long), []);
  });
});
