import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { createEmbedder, type EmbedderConfig } from '../../../src/adapters/embedder/create-embedder.js';
import { OnnxEmbedder } from '../../../src/adapters/embedder/onnx.embedder.js';
import { OpenAiCompatibleEmbedder } from '../../../src/adapters/embedder/openai-compatible.embedder.js';
import { UseLiteEmbedder } from '../../../src/adapters/embedder/use-lite.embedder.js';
import { ConfigError, DependencyError } from '../../../src/errors.js';
import { startOpenAiEmbeddingsServer } from '../../../../../test/support/openai-embeddings-server.js';
import { writeTinyOnnxModel } from '../../../../../test/support/tiny-onnx-model.js';

const logger = winston.createLogger({ silent: true });
const base: EmbedderConfig = { EMBEDDING_PROVIDER: 'local', EMBEDDING_TIMEOUT_MS: 2_000 };

describe('createEmbedder', function () {
  this.timeout(120_000);
  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'myragdb-create-embedder-'));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('starts the offline USE-lite embedder by default', async () => {
    const embedder = await createEmbedder({ ...base, EMBEDDING_WORKERS: 1 }, { logger });
    try {
      assert.ok(embedder instanceof UseLiteEmbedder);
      assert.deepEqual([embedder.modelId, embedder.dimension], ['use-lite-512', 512]);
      assert.equal((await embedder.embed(['ready'])).length, 1);
    } finally {
      await embedder.close();
    }
  });

  it('learns the dimension of an openai-compatible endpoint before returning', async () => {
    const model = new UseLiteEmbedder({ workers: 1 });
    const server = await startOpenAiEmbeddingsServer(model);
    try {
      const embedder = await createEmbedder(
        { ...base, EMBEDDING_PROVIDER: 'openai-compatible', EMBEDDING_ENDPOINT: server.url, EMBEDDING_MODEL: 'm1' },
        { logger },
      );
      assert.ok(embedder instanceof OpenAiCompatibleEmbedder);
      assert.deepEqual([embedder.modelId, embedder.dimension], ['openai-compatible/m1', 512]);
    } finally {
      await server.close();
      await model.close();
    }
  });

  it('loads an ONNX model directory', async () => {
    const modelDirectory = await writeTinyOnnxModel(directory, 'factory-model', 32);
    const embedder = await createEmbedder(
      { ...base, EMBEDDING_PROVIDER: 'onnx', EMBEDDING_MODEL: modelDirectory },
      { logger },
    );
    try {
      assert.ok(embedder instanceof OnnxEmbedder);
      assert.deepEqual([embedder.modelId, embedder.dimension], ['onnx/factory-model', 32]);
    } finally {
      await embedder.close();
    }
  });

  it('fails clearly on bad configuration or an unreachable endpoint', async () => {
    await assert.rejects(createEmbedder({ ...base, EMBEDDING_MODEL: 'minilm' }, { logger }), ConfigError);
    await assert.rejects(createEmbedder({ ...base, EMBEDDING_PROVIDER: 'onnx' }, { logger }), ConfigError);
    await assert.rejects(
      createEmbedder({ ...base, EMBEDDING_PROVIDER: 'onnx', EMBEDDING_MODEL: join(directory, 'missing') }, { logger }),
      /not a model directory/,
    );
    await assert.rejects(createEmbedder({ ...base, EMBEDDING_PROVIDER: 'openai-compatible' }, { logger }), ConfigError);
    await assert.rejects(
      createEmbedder(
        {
          ...base,
          EMBEDDING_PROVIDER: 'openai-compatible',
          EMBEDDING_ENDPOINT: 'http://127.0.0.1:9/',
          EMBEDDING_TIMEOUT_MS: 500,
        },
        { logger },
      ),
      DependencyError,
    );
  });
});
