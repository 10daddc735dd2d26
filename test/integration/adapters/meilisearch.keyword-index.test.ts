import { MeilisearchKeywordIndex } from '../../../services/core/src/adapters/keyword-index/meilisearch.keyword-index.js';
import { keywordIndexContract } from '../../../services/core/src/testing/keyword-index.contract.js';
import { useMeilisearch } from '../../support/meilisearch.js';
import { freePort } from '../../support/ports.js';

describe('KeywordIndex contract: Meilisearch', function () {
  const meili = useMeilisearch();
  keywordIndexContract({
    open: async () => {
      const index = new MeilisearchKeywordIndex({
        url: meili.url,
        ...(meili.apiKey ? { apiKey: meili.apiKey } : {}),
        indexPrefix: meili.indexPrefix,
      });
      await index.init();
      return index;
    },
    openUnreachable: async () =>
      new MeilisearchKeywordIndex({ url: `http://127.0.0.1:${await freePort()}`, indexPrefix: meili.indexPrefix }),
  });
});
