import assert from 'node:assert/strict';
import { LexemeBloom } from '../../../src/adapters/keyword-index/lexeme-bloom.js';
import type { Settings } from 'meilisearch';
import {
  batchesWithin,
  meilisearchDocument,
  pathPrefixes,
} from '../../../src/adapters/keyword-index/meilisearch.documents.js';
import { MEILISEARCH_SETTINGS, settingsToUpdate } from '../../../src/adapters/keyword-index/meilisearch.settings.js';
import { ValidationError } from '../../../src/errors.js';

describe('Meilisearch settings and documents', () => {
  it('sends only the settings a server lacks, ignoring the order it lists attribute sets in', () => {
    const asReturned: Settings = {
      ...MEILISEARCH_SETTINGS,
      filterableAttributes: ['file', 'id', 'language', 'pathPrefixes', 'repository'],
      typoTolerance: { enabled: false, disableOnAttributes: [], disableOnWords: [] },
      stopWords: [],
    };
    assert.equal(settingsToUpdate(asReturned), undefined);
    assert.deepEqual(
      settingsToUpdate({ ...asReturned, searchableAttributes: ['contentTerms', 'symbolTerms', 'pathTerms'] }),
      {
        searchableAttributes: MEILISEARCH_SETTINGS.searchableAttributes,
      },
    );
    assert.deepEqual(
      settingsToUpdate({ ...asReturned, typoTolerance: { ...asReturned.typoTolerance, enabled: true } }),
      { typoTolerance: MEILISEARCH_SETTINGS.typoTolerance },
    );
    assert.deepEqual(Object.keys(settingsToUpdate({}) ?? {}), Object.keys(MEILISEARCH_SETTINGS));
  });

  it('stores a chunk with its lexemes per field, its length and every leading directory of its path', () => {
    const document = meilisearchDocument({
      id: 'c1',
      repository: 'app',
      path: 'src/httpClient/retryPolicy.ts',
      language: 'typescript',
      startLine: 1,
      endLine: 1,
      symbol: 'withRetry',
      content: 'export const withRetry = (fn) => retryPolicy(fn);',
      contentHash: 'h',
    });
    // As PostgreSQL's simple + english configurations make them: typed tokens lower-cased, words stemmed.
    assert.equal(document.symbolTerms, 'withretry with retry withretri retri');
    assert.equal(document.pathTerms, 'src http client retri polici ts');
    assert.equal(document.contentTerms, 'export const withretry fn retrypolicy retri polici', 'each lexeme once');
    const content = new LexemeBloom(document.contentBloom);
    assert.ok(['withretry', 'retri', 'polici', 'fn'].every((lexeme) => content.has(lexeme)));
    assert.equal(document.tokens, 7, 'the stemmed words of the content (`with` is a stop word)');
    assert.equal(document.file, 'app:src/httpClient/retryPolicy.ts');
    assert.deepEqual(pathPrefixes('a/b/c.ts'), ['a', 'a/b', 'a/b/c.ts']);
    assert.throws(
      () =>
        meilisearchDocument({
          ...{ repository: 'a', path: 'p', language: 'x', startLine: 1, endLine: 1 },
          id: 'a/b',
          content: '',
          contentHash: 'h',
        }),
      ValidationError,
    );
  });

  it('cuts batches by count and by bytes, and refuses an item larger than a request up front', () => {
    const items = ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee'];
    assert.deepEqual(batchesWithin(items, { maxDocuments: 2, maxBytes: 1_000 }, String), [
      ['aaaa', 'bbbb'],
      ['cccc', 'dddd'],
      ['eeee'],
    ]);
    // Each item is 7 bytes of JSON with its comma; 2 for the brackets.
    assert.deepEqual(batchesWithin(items, { maxDocuments: 100, maxBytes: 16 }, String), [
      ['aaaa', 'bbbb'],
      ['cccc', 'dddd'],
      ['eeee'],
    ]);
    assert.throws(
      () => batchesWithin(['ok', 'x'.repeat(50)], { maxDocuments: 10, maxBytes: 20 }, () => 'chunk big'),
      /chunk big/,
    );
    assert.deepEqual(batchesWithin([], { maxDocuments: 2, maxBytes: 10 }, String), []);
  });
});
