import assert from 'node:assert/strict';
import {
  type Bm25Candidate,
  DEFAULT_BM25,
  estimateFileFrequency,
  inverseDocumentFrequency,
  rankBm25,
} from '../../../src/adapters/keyword-index/bm25.js';

const corpus = { chunks: 100, files: 20, tokens: 10_000 };
const candidate = (id: string, file: string, frequencies: number[], tokens = 100, fileTokens = 500): Bm25Candidate => ({
  id,
  file,
  tokens,
  fileTokens,
  frequencies,
});
const term = (chunkFrequency: number, fileFrequency = chunkFrequency) => ({ chunkFrequency, fileFrequency, weight: 1 });

describe('BM25 ranking of keyword candidates', () => {
  it('idf falls as a term gets commoner and never goes negative', () => {
    assert.ok(inverseDocumentFrequency(100, 1) > inverseDocumentFrequency(100, 10));
    assert.ok(inverseDocumentFrequency(100, 100) > 0);
    assert.ok(inverseDocumentFrequency(100, 500) > 0, 'a count above the corpus size is clamped');
  });

  it('ranks a chunk with the rare term above one with the common term, and more matched terms higher', () => {
    const ranked = rankBm25(
      [
        candidate('common', 'a', [0, 3]),
        candidate('rare', 'b', [1, 0]),
        candidate('both', 'c', [1, 1]),
        candidate('none', 'd', [0, 0]),
      ],
      [term(2), term(60)],
      corpus,
    );
    assert.deepEqual(
      ranked.map((hit) => hit.id),
      ['both', 'rare', 'common'],
      'a candidate matching no term is dropped',
    );
  });

  it('saturates repeated terms and normalises by length', () => {
    const [once, many] = [1, 20].map(
      (frequency) => rankBm25([candidate('x', 'f', [frequency])], [term(5)], corpus)[0]!.score,
    );
    assert.ok(many! > once! && many! < once! * 3, 'twenty occurrences are worth less than three single ones');
    const [short, long] = [50, 2000].map(
      (tokens) => rankBm25([candidate('x', 'f', [2], tokens, tokens)], [term(5)], corpus)[0]!.score,
    );
    assert.ok(short! > long!);
  });

  it("adds the file's evidence: a chunk of a file whose other chunks hold the other words ranks first", () => {
    // `lonely` holds both words; `team` holds one, but its file also holds the other (in `mate`).
    const ranked = rankBm25(
      [
        candidate('lonely', 'one.js', [1, 1], 100, 3000),
        candidate('team', 'two.js', [2, 0], 100, 300),
        candidate('mate', 'two.js', [0, 2], 100, 300),
      ],
      [term(3, 2), term(3, 2)],
      corpus,
    );
    assert.deepEqual(
      ranked.map((hit) => hit.id),
      ['mate', 'team', 'lonely'],
    );
    const chunksOnly = rankBm25(
      [candidate('lonely', 'one.js', [1, 1], 100, 3000), candidate('team', 'two.js', [2, 0], 100, 300)],
      [term(3, 2), term(3, 2)],
      corpus,
      { ...DEFAULT_BM25, chunkShare: 1 },
    );
    assert.ok(chunksOnly.length === 2);
  });

  it('weights query terms and breaks ties by id', () => {
    const ranked = rankBm25(
      [candidate('b', 'f1', [1, 0]), candidate('a', 'f2', [1, 0]), candidate('c', 'f3', [0, 1])],
      [
        { ...term(5), weight: 1 },
        { ...term(5), weight: 2 },
      ],
      corpus,
    );
    assert.deepEqual(
      ranked.map((hit) => hit.id),
      ['c', 'a', 'b'],
    );
  });

  it('estimates file frequency from chunk frequency within [0, files]', () => {
    assert.equal(estimateFileFrequency(0, corpus), 0);
    assert.ok(Math.abs(estimateFileFrequency(100, corpus) - 20) < 1e-9);
    const some = estimateFileFrequency(10, corpus);
    assert.ok(some > 2 && some <= 10);
    assert.equal(estimateFileFrequency(5, { chunks: 0, files: 0, tokens: 0 }), 0);
  });
});
