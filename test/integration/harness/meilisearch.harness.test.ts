import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  meilisearchClient,
  requireMeilisearchBinary,
  startMeilisearchServer,
  useMeilisearch,
} from '../../support/meilisearch.js';

describe('test harness: Meilisearch', function () {
  const meili = useMeilisearch();

  it('reaches a real Meilisearch server', async () => {
    assert.equal((await meilisearchClient(meili).health()).status, 'available');
  });
});

describe('test harness: a Meilisearch instance of its own', function () {
  before(function () {
    requireMeilisearchBinary(this);
  });

  it('starts the installed binary with a master key, restarts it on the same data, and removes the data', async function () {
    this.timeout(60_000);
    const first = await startMeilisearchServer();
    const client = meilisearchClient(first);
    await client.createIndex('kept', { primaryKey: 'id' }).waitTask();
    await assert.rejects(meilisearchClient({ url: first.url, apiKey: 'wrong' }).getIndexes(), /key/i);
    await first.kill();
    await assert.rejects(client.health());
    const again = await startMeilisearchServer({ port: first.port, dbPath: first.dbPath });
    try {
      assert.deepEqual(
        (await client.getIndexes()).results.map((index) => index.uid),
        ['kept'],
      );
    } finally {
      await again.stop();
      await first.stop();
    }
    assert.equal(existsSync(first.dbPath), false);
  });
});
