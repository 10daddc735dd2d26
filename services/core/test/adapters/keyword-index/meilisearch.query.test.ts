import assert from 'node:assert/strict';
import {
  meilisearchQueryTerms,
  mergeRankedHits,
  preciseQuery,
  relaxedQuery,
  searchTerms,
  termQuery,
  withinWordBudget,
} from '../../../src/adapters/keyword-index/meilisearch.query.js';

describe('Meilisearch query building', () => {
  it('sends identifier-like tokens as phrases of their words and plain words as they are', () => {
    const terms = searchTerms('Where is parseQuery called with get_user_name?');
    assert.equal(preciseQuery(terms), 'where is "parse query" called with "get user name"');
    assert.equal(preciseQuery(searchTerms('HTTPServer sha256')), '"http server" sha256');
    assert.deepEqual(
      meilisearchQueryTerms('parseQuery parse_query ParseQuery').map((term) => term.words),
      [['parse', 'query']],
      'one identifier written three ways is one term',
    );
    assert.deepEqual(searchTerms('!!! ___ ...'), []);
  });

  it('keeps within Meilisearch’s ten words: filler words go first, then terms from the end', () => {
    const question = searchTerms('how do we retry the failed http calls of the payment client when a timeout happens');
    assert.equal(preciseQuery(question), 'retry failed http calls payment client timeout happens');
    const long = withinWordBudget(
      meilisearchQueryTerms('alpha beta gamma delta epsilon zeta eta theta iota kappa lambda'),
    );
    assert.equal(long.length, 10);
    assert.equal(long.at(-1)?.words[0], 'kappa');
    const identifier = withinWordBudget(meilisearchQueryTerms('one two three four five six seven eightNineTenEleven'));
    assert.deepEqual(identifier.at(-1), { words: ['eight', 'nine', 'ten'], identifier: true });
  });

  it('counts each term as an exact phrase, so a short word is not counted by its prefix', () => {
    assert.equal(termQuery({ words: ['do'], identifier: false }), '"do"');
    assert.equal(termQuery({ words: ['get', 'user'], identifier: true }), '"get user"');
  });

  it('falls back to the terms that match something, rarest first and filler words last', () => {
    const terms = searchTerms('where do we parse the query string');
    assert.equal(relaxedQuery(terms, [0, 0, 0, 40, 900, 3, 0]), 'query parse the');
    const identifier = searchTerms('parseQuery tokens');
    assert.equal(relaxedQuery(identifier, [2, 10]), 'parse query tokens');
    assert.equal(relaxedQuery(identifier, [0, 0]), undefined, 'nothing matches');
    assert.equal(relaxedQuery(searchTerms('parseQuery'), [5]), undefined, 'one term: the precise query covered it');
  });

  it('ranks precise hits above relaxed ones, once each, within the limit and the path filter', () => {
    const merged = mergeRankedHits(
      [
        { id: 'a', path: 'src/a.ts', score: 0.9 },
        { id: 'b', path: 'docs/b.md', score: 0.8 },
      ],
      [
        { id: 'a', path: 'src/a.ts', score: 0.95 },
        { id: 'c', path: 'src/c.ts', score: 0 },
        { id: 'd', path: 'src/d.ts', score: 0.5 },
      ],
      2,
      (path) => path.startsWith('src/'),
    );
    assert.deepEqual(
      merged.map((hit) => hit.id),
      ['a', 'c'],
    );
    assert.equal(merged[0]!.score, 1.9);
    assert.ok(merged[1]!.score > 0, 'scores stay positive');
  });
});
