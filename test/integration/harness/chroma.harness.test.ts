import assert from 'node:assert/strict';
import { chromaClient, startChromaServer, useChroma } from '../../support/chroma.js';

async function heartbeat(url: string): Promise<number> {
  const response = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(2000) });
  return response.status;
}

describe('test harness: Chroma', function () {
  const chroma = useChroma();
  let previousPrefix: string;

  it('reaches a real Chroma server', async () => {
    assert.equal(await heartbeat(chroma.url), 200);
    const collection = await chroma.client.createCollection({
      name: `${chroma.collectionPrefix}probe`,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
    });
    await collection.add({ ids: ['a'], embeddings: [[1, 0, 0]] });
    assert.equal(await collection.count(), 1);
    previousPrefix = chroma.collectionPrefix;
  });

  it("deletes the previous test's collections and gives each test a new prefix", async () => {
    assert.notEqual(chroma.collectionPrefix, previousPrefix);
    const names = (await chroma.client.listCollections({ limit: 10_000 })).map((collection) => collection.name);
    assert.ok(!names.some((name) => name.startsWith(previousPrefix)));
  });

  it('starts its own Chroma server from the npm package and stops it', async function () {
    this.timeout(90_000);
    const server = await startChromaServer();
    try {
      assert.equal(await heartbeat(server.url), 200);
      assert.ok(server.process?.pid);
      const collection = await chromaClient(server.url).getOrCreateCollection({ name: 'own', embeddingFunction: null });
      assert.equal(await collection.count(), 0);
    } finally {
      await server.stop();
    }
    assert.notEqual(server.process?.exitCode ?? server.process?.signalCode, null);
    await assert.rejects(heartbeat(server.url));
  });
});
