import assert from 'node:assert/strict';
import { DEFAULT_FUSION, fuseReciprocalRank, rankSingleLeg } from '../../src/search/reciprocal-rank-fusion.js';

const hits = (...ids: string[]) => ids.map((id, index) => ({ id, score: 10 - index }));

describe('fuseReciprocalRank', () => {
  it('scores each hit as the sum of weight / (k + rank) over the legs that found it', () => {
    const fused = fuseReciprocalRank({ keyword: hits('a', 'b'), semantic: hits('b', 'c') }, DEFAULT_FUSION);
    const byId = Object.fromEntries(fused.map((hit) => [hit.id, hit]));
    assert.equal(byId.b!.score, 1 / 62 + 1 / 61);
    assert.equal(byId.a!.score, 1 / 61);
    assert.equal(byId.c!.score, 1 / 62);
    assert.deepEqual(
      fused.map((hit) => hit.id),
      ['b', 'a', 'c'],
    );
  });

  it('keeps each leg rank and store score on every hit', () => {
    const [top] = fuseReciprocalRank({ keyword: hits('x', 'y'), semantic: hits('y') }, DEFAULT_FUSION);
    assert.deepEqual(top, {
      id: 'y',
      score: 1 / 62 + 1 / 61,
      keyword: { rank: 2, score: 9 },
      semantic: { rank: 1, score: 10 },
    });
  });

  it('applies per-leg weights', () => {
    const keywordHeavy = fuseReciprocalRank(
      { keyword: hits('k'), semantic: hits('s') },
      { k: 60, weights: { keyword: 2, semantic: 1 } },
    );
    assert.deepEqual(
      keywordHeavy.map((hit) => hit.id),
      ['k', 's'],
    );
    const semanticHeavy = fuseReciprocalRank(
      { keyword: hits('k'), semantic: hits('s') },
      { k: 60, weights: { keyword: 1, semantic: 3 } },
    );
    assert.deepEqual(
      semanticHeavy.map((hit) => hit.id),
      ['s', 'k'],
    );
  });

  it('smaller k makes the top rank count for more', () => {
    // a: rank 1 in one leg only; b: rank 3 in both. With k=60 consensus wins, with k=1 the single top hit wins.
    const legs = { keyword: hits('a', 'x', 'b'), semantic: hits('y', 'z', 'b') };
    assert.equal(fuseReciprocalRank(legs, { k: 60, weights: { keyword: 1, semantic: 1 } })[0]!.id, 'b');
    assert.equal(fuseReciprocalRank(legs, { k: 1, weights: { keyword: 1, semantic: 1 } })[0]!.id, 'a');
  });

  it('breaks score ties deterministically by best rank, then id', () => {
    const fused = fuseReciprocalRank({ keyword: hits('d', 'a'), semantic: hits('c', 'b') }, DEFAULT_FUSION);
    assert.deepEqual(
      fused.map((hit) => hit.id),
      ['c', 'd', 'a', 'b'],
    );
  });

  it('fuses a single present leg and ignores an absent one', () => {
    const fused = fuseReciprocalRank({ semantic: hits('a', 'b') }, DEFAULT_FUSION);
    assert.deepEqual(
      fused.map((hit) => [hit.id, hit.keyword, hit.semantic?.rank]),
      [
        ['a', undefined, 1],
        ['b', undefined, 2],
      ],
    );
    assert.deepEqual(fuseReciprocalRank({}, DEFAULT_FUSION), []);
  });

  it('counts a duplicate id in one leg once, at its best rank', () => {
    const fused = fuseReciprocalRank({ keyword: [...hits('a', 'b'), { id: 'a', score: 1 }] }, DEFAULT_FUSION);
    assert.equal(fused.length, 2);
    assert.deepEqual(fused[0], { id: 'a', score: 1 / 61, keyword: { rank: 1, score: 10 } });
  });
});

describe('rankSingleLeg', () => {
  it('keeps store scores and numbers ranks from 1, skipping duplicates', () => {
    assert.deepEqual(rankSingleLeg('keyword', [...hits('a', 'b'), { id: 'a', score: 0 }, { id: 'c', score: 3 }]), [
      { id: 'a', score: 10, keyword: { rank: 1, score: 10 } },
      { id: 'b', score: 9, keyword: { rank: 2, score: 9 } },
      { id: 'c', score: 3, keyword: { rank: 3, score: 3 } },
    ]);
  });
});
