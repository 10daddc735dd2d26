/**
 * `myragdb up`'s composition (startLocalMode) honours EMBEDDING_PROVIDER and EMBEDDING_MODEL: pointed at an
 * OpenAI-compatible server, it embeds the folder's chunks and the search queries there, under that model's id.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UseLiteEmbedder } from '../../../services/core/src/adapters/embedder/use-lite.embedder.js';
import { type LocalMode, startLocalMode } from '../../../services/cli/src/local/local-mode.js';
import type { SearchResponse } from '../../../services/search-gateway/src/api/search.schemas.js';
import { chromaUrl } from '../../support/chroma.js';
import { freePort } from '../../support/ports.js';
import { startOpenAiEmbeddingsServer, type OpenAiEmbeddingsServer } from '../../support/openai-embeddings-server.js';

describe('local mode: the configured embedder', function () {
  this.timeout(240_000);
  let work: string;
  let model: UseLiteEmbedder;
  let server: OpenAiEmbeddingsServer;
  let mode: LocalMode | undefined;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'myragdb-up-embedder-'));
    model = new UseLiteEmbedder({ workers: 1 });
    server = await startOpenAiEmbeddingsServer(model);
  });

  after(async () => {
    await mode?.shutdown();
    await server?.close();
    await model?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('indexes and searches with EMBEDDING_PROVIDER=openai-compatible and EMBEDDING_MODEL', async () => {
    const folder = join(work, 'shop');
    await mkdir(join(folder, 'src'), { recursive: true });
    await writeFile(
      join(folder, 'src', 'refunds.ts'),
      'export function issueRefund(order: Order) {\n  return payments.refund(order.paymentId, order.total);\n}\n',
    );
    await writeFile(join(folder, 'README.md'), '# Shop\n\nA tiny shop: orders, payments and refunds.\n');
    mode = await startLocalMode({
      paths: [folder],
      port: await freePort(),
      dataDir: join(work, 'data'),
      env: {
        CHROMA_URL: await chromaUrl(),
        CHROMA_COLLECTION_PREFIX: `upemb${process.pid}-`,
        EMBEDDING_PROVIDER: 'openai-compatible',
        EMBEDDING_ENDPOINT: server.url,
        EMBEDDING_MODEL: 'shop-embedder',
        LOG_LEVEL: 'error',
      },
    });
    const deadline = Date.now() + 180_000;
    for (;;) {
      const [status] = await mode.status();
      if (status?.status === 'ready' && status.vectorsPending === 0 && status.chunks > 0) break;
      assert.ok(Date.now() < deadline, `not indexed in time: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const indexing = server.requests.length;
    assert.ok(indexing > 0, 'the chunks were embedded by the configured endpoint');
    assert.ok(server.requests.every((request) => request.model === 'shop-embedder'));

    const response = await fetch(`${mode.url}/api/v1/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${mode.adminKey.key}` },
      body: JSON.stringify({ query: 'how is a refund issued', mode: 'semantic' }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as SearchResponse;
    assert.ok(body.results.length > 0, JSON.stringify(body));
    assert.deepEqual(server.requests.slice(indexing), [
      { authorization: undefined, inputs: 1, model: 'shop-embedder' },
    ]);
  });
});
