import assert from 'node:assert/strict';
import { queryIdentifier, symbolNames } from '../../src/search/definition-boost.js';
import { boostDefinitions, DEFAULT_FUSION, fuseReciprocalRank } from '../../src/search/reciprocal-rank-fusion.js';

describe('definition boost', () => {
  it('reads an identifier from short queries in any spelling, never from questions', () => {
    for (const query of ['parseQuery', 'parse_query', 'parse query', 'ParseQuery', ' parse-query ']) {
      assert.equal(queryIdentifier(query), 'parsequery', query);
    }
    assert.equal(queryIdentifier('where do we parse the query string'), undefined);
    assert.equal(queryIdentifier('?!'), undefined);
  });

  it('matches the whole symbol or its last member', () => {
    assert.ok(symbolNames('parseQuery', 'parsequery'));
    assert.ok(symbolNames('Router.handle', 'handle'));
    assert.ok(symbolNames('Parser::parse_query', 'parsequery'));
    assert.ok(symbolNames('Router.handle', 'routerhandle'));
    assert.ok(!symbolNames('Router.handle', 'router'));
    assert.ok(!symbolNames(undefined, 'parsequery'));
    assert.ok(!symbolNames('parseQueryString', 'parsequery'));
  });

  it('adds 1/(k+1) to definitions and re-sorts', () => {
    // `importer` wins the plain fusion by a hair; the definition wins once boosted.
    const fused = fuseReciprocalRank(
      {
        keyword: [
          { id: 'definition', score: 2 },
          { id: 'other', score: 1.5 },
          { id: 'importer', score: 1 },
        ],
        semantic: [
          { id: 'importer', score: 0.6 },
          { id: 'other', score: 0.5 },
          { id: 'x', score: 0.4 },
          { id: 'definition', score: 0.3 },
        ],
      },
      DEFAULT_FUSION,
    );
    assert.equal(fused[0]!.id, 'importer');
    const boosted = boostDefinitions(fused, (hit) => hit.id === 'definition', 60);
    assert.equal(boosted[0]!.id, 'definition');
    assert.equal(boosted[0]!.symbolMatch, true);
    assert.equal(boosted[0]!.score, 1 / 61 + 1 / 64 + 1 / 61);
    assert.equal(fused[0]!.symbolMatch, undefined, 'the input is not changed');
  });
});
