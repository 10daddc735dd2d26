import assert from 'node:assert/strict';
import { chunkId, contentHash } from '../../src/domain/chunk-id.js';

describe('chunkId', () => {
  const base = { repository: 'demo', path: 'src/a.ts', contentHash: contentHash('x'), ordinal: 0 };

  it('is 32 hex characters and the same for the same identity', () => {
    assert.match(chunkId(base), /^[0-9a-f]{32}$/);
    assert.equal(chunkId({ ...base }), chunkId(base));
  });

  it('changes with any part of the identity', () => {
    const ids = new Set([
      chunkId(base),
      chunkId({ ...base, repository: 'other' }),
      chunkId({ ...base, path: 'src/b.ts' }),
      chunkId({ ...base, contentHash: contentHash('y') }),
      chunkId({ ...base, ordinal: 1 }),
    ]);
    assert.equal(ids.size, 5);
  });

  it('cannot be forged by moving a separator between repository and path', () => {
    assert.notEqual(
      chunkId({ ...base, repository: 'a', path: 'b/c' }),
      chunkId({ ...base, repository: 'a/b', path: 'c' }),
    );
  });

  it('hashes content with sha256', () => {
    assert.equal(contentHash('hello'), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });
});
