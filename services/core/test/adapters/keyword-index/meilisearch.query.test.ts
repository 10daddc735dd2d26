import assert from 'node:assert/strict';
import { queryLexemes } from '../../../src/adapters/keyword-index/english-lexemes.js';
import { candidateTerms } from '../../../src/adapters/keyword-index/bm25.js';
import { lexemeBloom } from '../../../src/adapters/keyword-index/lexeme-bloom.js';
import {
  candidateFrequencies,
  estimateCorpus,
  lexemeQuery,
  termStatistics,
} from '../../../src/adapters/keyword-index/meilisearch.query.js';

describe('Meilisearch BM25 search: the pure parts', () => {
  it('searches the lexemes PostgreSQL would: stemmed words without stop words, identifiers as typed', () => {
    assert.deepEqual(queryLexemes('Where do we retry the failed HTTP calls?'), ['retri', 'fail', 'http', 'call']);
    assert.deepEqual(queryLexemes('parseQuery'), ['parsequery', 'pars', 'queri']);
    assert.deepEqual(queryLexemes('utf8 decoder'), ['utf8', 'decoder', 'decod', 'utf8decoder']);
    assert.deepEqual(queryLexemes('!!! ...'), []);
    assert.equal(lexemeQuery('retri'), '"retri"');
  });

  it('takes the rarest lexemes whose chunks fit under the cap as candidates, at least one', () => {
    assert.deepEqual(candidateTerms([500, 3, 40, 0], 100), [1, 2]);
    assert.deepEqual(candidateTerms([5_000, 2_000], 100), [1], 'the rarest even alone over the cap');
    assert.deepEqual(candidateTerms([0, 0], 100), []);
    assert.deepEqual(candidateTerms([10, 10, 10], 100), [0, 1, 2]);
  });

  it('weighs every query lexeme in a candidate from its fields: symbol 4 each, path 2 each, content once', () => {
    const hit = {
      id: 'c1',
      path: 'src/retry/policy.ts',
      file: 'app:src/retry/policy.ts',
      tokens: 40,
      fileTokens: 90,
      symbolTerms: 'retrywithbackoff retri with backoff retri',
      pathTerms: 'src retri polici',
      contentBloom: lexemeBloom(['retri', 'backoff', 'delay', 'attempt']),
    };
    const lexemes = ['retri', 'delay', 'polici', 'jitter'];
    assert.deepEqual(candidateFrequencies(hit, lexemes, new Set(['retri'])), [4 * 2 + 2 + 1, 1, 2 + 1, 0]);
    // A document written before the Bloom filter: its content holds what it was found for, nothing more is known.
    const { contentBloom: _, ...older } = hit;
    assert.deepEqual(candidateFrequencies(older, lexemes, new Set(['delay'])), [4 * 2 + 2 + 1, 1, 2 + 1, 0]);
    assert.deepEqual(candidateFrequencies(older, lexemes, new Set(['jitter'])), [4 * 2 + 2 + 1, 0, 2 + 1, 1]);
  });

  it('estimates a corpus from a sample, exactly when the sample is all of it', () => {
    // Two files: one of three chunks (10 words each), one of one chunk (30 words).
    const all = [
      { tokens: 10, fileChunks: 3 },
      { tokens: 10, fileChunks: 3 },
      { tokens: 10, fileChunks: 3 },
      { tokens: 30, fileChunks: 1 },
    ];
    assert.deepEqual(estimateCorpus(4, all), { chunks: 4, files: 2, tokens: 60 });
    assert.deepEqual(estimateCorpus(400, all), { chunks: 400, files: 200, tokens: 6_000 });
    assert.deepEqual(estimateCorpus(0, []), { chunks: 0, files: 0, tokens: 0 });
  });

  it('counts a lexeme’s files exactly when all its chunks were fetched, else estimates them', () => {
    const corpus = { chunks: 1_000, files: 100, tokens: 50_000 };
    assert.equal(termStatistics(12, { chunks: 12, files: 3 }, corpus).fileFrequency, 3);
    const estimated = termStatistics(500, undefined, corpus).fileFrequency;
    assert.ok(estimated > 3 && estimated <= 100, `estimated ${estimated}`);
    assert.equal(termStatistics(500, { chunks: 100, files: 40 }, corpus).fileFrequency, estimated);
  });
});
