import assert from 'node:assert/strict';
import { SearchRequest } from '../../src/api/search.schemas.js';
import { searchCacheKey } from '../../src/search/cache-key.js';

const request = (body: object) => SearchRequest.parse(body);

describe('searchCacheKey', () => {
  it('gives the same key to spellings of the same search', () => {
    const a = request({ query: '  parse   query ', repositories: ['b', 'a', 'a'] });
    const b = request({ query: 'parse query', mode: 'hybrid', limit: 10, offset: 0, repositories: ['a', 'b'] });
    assert.equal(searchCacheKey(a, '7'), searchCacheKey(b, '7'));
  });

  it('separates searches that can return different results', () => {
    const base = { query: 'parseQuery' };
    const keys = [
      request(base),
      request({ ...base, query: 'parsequery' }),
      request({ ...base, mode: 'keyword' }),
      request({ ...base, limit: 11 }),
      request({ ...base, offset: 10 }),
      request({ ...base, repositories: ['a'] }),
      request({ ...base, languages: ['typescript'] }),
      request({ ...base, pathGlobs: ['src/**'] }),
      request({ ...base, groupByFile: true }),
    ].map((parsed) => searchCacheKey(parsed, '1'));
    assert.equal(new Set(keys).size, keys.length);
  });

  it('changes with the index generation, so a reindex invalidates older entries', () => {
    const parsed = request({ query: 'x' });
    assert.notEqual(searchCacheKey(parsed, '1'), searchCacheKey(parsed, '2'));
  });
});
