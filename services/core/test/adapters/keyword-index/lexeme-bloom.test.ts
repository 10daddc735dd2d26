import assert from 'node:assert/strict';
import { LexemeBloom, lexemeBloom } from '../../../src/adapters/keyword-index/lexeme-bloom.js';

describe('Bloom filter of a chunk’s content lexemes', () => {
  it('never misses a lexeme it holds, whatever the set size', () => {
    for (const size of [0, 1, 7, 80, 2_000]) {
      const lexemes = Array.from({ length: size }, (_, index) => `lexeme${index}`);
      const bloom = new LexemeBloom(lexemeBloom(lexemes));
      assert.ok(
        lexemes.every((lexeme) => bloom.has(lexeme)),
        `a set of ${size}`,
      );
    }
  });

  it('rarely claims a lexeme it does not hold (false positives well under 0.1 %)', () => {
    const bloom = new LexemeBloom(lexemeBloom(Array.from({ length: 200 }, (_, index) => `word${index}`)));
    const probes = Array.from({ length: 100_000 }, (_, index) => `other${index}`);
    const falsePositives = probes.filter((lexeme) => bloom.has(lexeme)).length;
    assert.ok(falsePositives < 100, `${falsePositives} of ${probes.length}`);
  });

  it('grows with the number of distinct lexemes, and an empty set holds nothing', () => {
    const size = (lexemes: string[]) => Buffer.from(lexemeBloom(lexemes), 'base64').length;
    assert.equal(size(['a', 'a', 'a']), size(['a']));
    assert.equal(size(Array.from({ length: 100 }, (_, index) => `w${index}`)), 250);
    assert.equal(new LexemeBloom(lexemeBloom([])).has('anything'), false);
    assert.equal(new LexemeBloom('').has('anything'), false);
  });
});
