import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import winston from 'winston';
import {
  OpenAiCompatibleEmbedder,
  type OpenAiCompatibleEmbedderOptions,
} from '../../../src/adapters/embedder/openai-compatible.embedder.js';
import { UseLiteEmbedder } from '../../../src/adapters/embedder/use-lite.embedder.js';
import { DependencyError, EmbeddingError, InternalError } from '../../../src/errors.js';
import {
  startOpenAiEmbeddingsServer,
  type OpenAiEmbeddingsServer,
} from '../../../../../test/support/openai-embeddings-server.js';

const silent = winston.createLogger({ silent: true });
const API_KEY = 'sk-test-5ecret-key';
const fastBackoff = { kind: 'linear', initialDelayMs: 10, incrementMs: 0, maxDelayMs: 10 } as const;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('OpenAiCompatibleEmbedder failure modes', function () {
  this.timeout(120_000);
  let model: UseLiteEmbedder;
  let server: OpenAiEmbeddingsServer;
  const texts = ['first text', 'second text', 'third text'];

  const embedder = (overrides: Partial<OpenAiCompatibleEmbedderOptions> = {}) =>
    new OpenAiCompatibleEmbedder({
      endpoint: server.url,
      model: 'use-lite',
      apiKey: API_KEY,
      maxRetries: 2,
      backoff: fastBackoff,
      logger: silent,
      ...overrides,
    });

  before(async () => {
    model = new UseLiteEmbedder({ workers: 1 });
    server = await startOpenAiEmbeddingsServer(model);
  });

  after(async () => {
    await server.close();
    await model.close();
  });

  beforeEach(() => {
    server.requests.length = 0;
  });

  it('posts batches to {endpoint}/v1/embeddings with the bearer key and the model name', async () => {
    const vectors = await embedder({ batchSize: 2 }).embed([...texts, 'fourth', 'fifth']);
    assert.equal(vectors.length, 5);
    assert.deepEqual(
      server.requests.map((request) => [request.inputs, request.authorization, request.model]),
      [
        [2, `Bearer ${API_KEY}`, 'use-lite'],
        [2, `Bearer ${API_KEY}`, 'use-lite'],
        [1, `Bearer ${API_KEY}`, 'use-lite'],
      ],
    );
  });

  it('accepts an endpoint that already ends in /v1', async () => {
    const vectors = await embedder({ endpoint: `${server.url}/v1/` }).embed(texts);
    assert.equal(vectors.length, 3);
  });

  it('learns the dimension from the first answer, and refuses to guess before', async () => {
    const fresh = embedder();
    assert.throws(() => fresh.dimension, InternalError);
    assert.equal(await fresh.discoverDimension(), 512);
    assert.equal(fresh.dimension, 512);
    assert.equal(fresh.modelId, 'openai-compatible/use-lite');
  });

  it('rejects vectors of another size than the configured dimension', async () => {
    await assert.rejects(embedder({ dimension: 768 }).embed(texts), EmbeddingError);
  });

  it('retries 500 and 429 and succeeds when the server recovers', async () => {
    server.fail({ kind: 'status', status: 500 }, { kind: 'status', status: 429 });
    const vectors = await embedder().embed(texts);
    assert.equal(vectors.length, 3);
    assert.equal(server.requests.length, 3);
  });

  it('gives up with DependencyError when 5xx persists', async () => {
    server.fail(
      ...Array.from({ length: 3 }, () => ({
        kind: 'status' as const,
        status: 503,
        body: '{"error":{"message":"overloaded"}}',
      })),
    );
    await assert.rejects(embedder().embed(texts), (error: unknown) => {
      assert.ok(error instanceof DependencyError);
      assert.match(error.message, /HTTP 503: overloaded/);
      return true;
    });
    assert.equal(server.requests.length, 3, 'one call and two retries');
  });

  it('does not retry a refused request, and never shows the key even if the server echoes it', async () => {
    server.fail({
      kind: 'status',
      status: 401,
      body: JSON.stringify({ error: { message: `invalid key ${API_KEY}` } }),
    });
    await assert.rejects(embedder().embed(texts), (error: unknown) => {
      assert.ok(error instanceof EmbeddingError);
      assert.match(error.message, /HTTP 401/);
      assert.ok(!error.message.includes(API_KEY), error.message);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('turns malformed JSON into EmbeddingError', async () => {
    server.fail({ kind: 'malformed-json' });
    await assert.rejects(embedder().embed(texts), /invalid JSON/);
  });

  it('turns a short batch into EmbeddingError instead of misaligning vectors', async () => {
    server.fail({ kind: 'short-batch' });
    await assert.rejects(embedder().embed(texts), (error: unknown) => {
      assert.ok(error instanceof EmbeddingError);
      assert.match(error.message, /2 vectors for 3 texts/);
      return true;
    });
  });

  it('times out a hung request, retries, then reports DependencyError', async () => {
    server.fail({ kind: 'delay', ms: 2_000 }, { kind: 'delay', ms: 2_000 });
    await assert.rejects(embedder({ timeoutMs: 300, maxRetries: 1 }).embed(texts), /timed out/);
    assert.equal(server.requests.length, 2);
  });

  it('reports an unreachable endpoint as DependencyError', async () => {
    const port = await closedPort();
    await assert.rejects(
      embedder({ endpoint: `http://127.0.0.1:${port}`, maxRetries: 1 }).embed(texts),
      (error: unknown) => error instanceof DependencyError && /unreachable/.test(error.message),
    );
  });
});
