import assert from 'node:assert/strict';
import { promoteDefinitions, queryIdentifier, symbolNames } from '../../src/search/definition-boost.js';
import { DEFAULT_FUSION, fuseReciprocalRank } from '../../src/search/reciprocal-rank-fusion.js';

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

  it('ranks definitions first in their fused order and keeps the others in theirs', () => {
    const fused = fuseReciprocalRank(
      {
        keyword: [
          { id: 'importer', score: 3 },
          { id: 'definition', score: 2 },
          { id: 'other', score: 1.5 },
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
    const promoted = promoteDefinitions(fused, (hit) => hit.id === 'definition' || hit.id === 'x');
    assert.deepEqual(
      promoted.map((hit) => [hit.id, hit.symbolMatch]),
      [
        ['definition', true],
        ['x', true],
        ['importer', undefined],
        ['other', undefined],
      ],
    );
    assert.equal(fused[0]!.symbolMatch, undefined, 'the input is not changed');
    assert.deepEqual(
      promoteDefinitions(fused, () => false),
      fused,
    );
  });
});
