import assert from 'node:assert/strict';
import {
  ChromaVectorIndex,
  chromaCollectionName,
} from '../../../services/core/src/adapters/vector-index/chroma.vector-index.js';
import { vectorIndexContract } from '../../../services/core/src/testing/vector-index.contract.js';
import { useChroma } from '../../support/chroma.js';
import { freePort } from '../../support/ports.js';

describe('VectorIndex contract: Chroma', function () {
  const chroma = useChroma();
  vectorIndexContract({
    open: async (dimension) =>
      new ChromaVectorIndex({
        url: chroma.url,
        modelId: 'test/model',
        dimension,
        collectionPrefix: chroma.collectionPrefix,
      }),
    openUnreachable: async (dimension) =>
      new ChromaVectorIndex({ url: `http://127.0.0.1:${await freePort()}`, modelId: 'test/model', dimension }),
  });

  it('uses one collection per model, dimension and repository', async () => {
    const prefix = chroma.collectionPrefix;
    const small = new ChromaVectorIndex({
      url: chroma.url,
      modelId: 'Model/A',
      dimension: 2,
      collectionPrefix: prefix,
    });
    const large = new ChromaVectorIndex({
      url: chroma.url,
      modelId: 'Model/A',
      dimension: 3,
      collectionPrefix: prefix,
    });
    await small.upsert('My Repo', [{ id: 'a', embedding: [1, 0], path: 'a.ts', language: 'typescript' }]);
    await large.upsert('My Repo', [{ id: 'a', embedding: [1, 0, 0], path: 'a.ts', language: 'typescript' }]);
    await large.upsert('other', [{ id: 'b', embedding: [1, 0, 0], path: 'b.ts', language: 'typescript' }]);
    const names = (await chroma.client.listCollections({ limit: 1000 }))
      .map((collection) => collection.name)
      .filter((name) => name.startsWith(prefix))
      .sort();
    assert.deepEqual(
      names,
      [
        chromaCollectionName(prefix, 'Model/A', 2, 'My Repo'),
        chromaCollectionName(prefix, 'Model/A', 3, 'My Repo'),
        chromaCollectionName(prefix, 'Model/A', 3, 'other'),
      ].sort(),
    );
    for (const name of names) assert.match(name, /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/);
    await small.deleteRepository('My Repo');
    assert.equal(await small.count('My Repo'), 0);
    assert.equal(await large.count('My Repo'), 1);
  });

  it('a query after another process deleted the repository answers no vectors, not an error (found by the fuzzer)', async () => {
    const open = () =>
      new ChromaVectorIndex({ url: chroma.url, modelId: 'm', dimension: 2, collectionPrefix: chroma.collectionPrefix });
    const gateway = open();
    const indexer = open();
    await indexer.upsert('gone', [{ id: 'a', embedding: [1, 0], path: 'a.ts', language: 'typescript' }]);
    const query = { embedding: [1, 0], limit: 5, repositories: ['gone'] };
    assert.deepEqual(
      (await gateway.query(query)).map((hit) => hit.id),
      ['a'],
    );
    await indexer.deleteRepository('gone');
    assert.deepEqual(await gateway.query(query), []);
    assert.equal(await gateway.count('gone'), 0);
  });
});
