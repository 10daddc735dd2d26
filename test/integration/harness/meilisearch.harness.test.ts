import assert from 'node:assert/strict';
import { Meilisearch } from 'meilisearch';
import { useMeilisearch } from '../../support/meilisearch.js';

describe('test harness: Meilisearch', function () {
  const meili = useMeilisearch();

  it('reaches a real Meilisearch server', async () => {
    const client = new Meilisearch({ host: meili.url, ...(meili.apiKey ? { apiKey: meili.apiKey } : {}) });
    assert.equal((await client.health()).status, 'available');
  });
});
