import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import {
  createEmbedder,
  EmbedderFactory,
  type EmbedderConfig,
} from '../../../src/adapters/embedder/create-embedder.js';
import { OnnxEmbedder } from '../../../src/adapters/embedder/onnx.embedder.js';
import { OpenAiCompatibleEmbedder } from '../../../src/adapters/embedder/openai-compatible.embedder.js';
import { UseLiteEmbedder } from '../../../src/adapters/embedder/use-lite.embedder.js';
import { ConfigError, DependencyError } from '../../../src/errors.js';
import { startOpenAiEmbeddingsServer } from '../../../../../test/support/openai-embeddings-server.js';
import { freePort } from '../../../../../test/support/ports.js';
import { writeTinyOnnxModel } from '../../../../../test/support/tiny-onnx-model.js';

const logger = winston.createLogger({ silent: true });
const base: EmbedderConfig = {
  EMBEDDING_PROVIDER: 'local',
  EMBEDDING_TIMEOUT_MS: 2_000,
  EMBEDDING_MODEL_INDEX_URL: 'https://pypi.org/simple',
};

/** A logger that keeps every line, to count what a user would see. */
function recordingLogger(): { logger: winston.Logger; lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const logger = winston.createLogger({
    level: 'debug',
    transports: [
      new winston.transports.Console({ silent: true }),
      new (class extends winston.transports.Console {
        override log(info: { level: string; message: string }, next: () => void) {
          lines.push({ level: info.level, message: info.message });
          next();
        }
      })(),
    ],
  });
  return { logger, lines };
}

describe('createEmbedder', function () {
  this.timeout(120_000);
  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'myragdb-create-embedder-'));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('falls back to USE-lite with one clear log line when the model is not cached and the index is unreachable', async () => {
    const { logger: recording, lines } = recordingLogger();
    const closedPort = await freePort();
    const factory = await EmbedderFactory.resolve(
      {
        ...base,
        EMBEDDING_MODEL_CACHE_DIR: join(directory, 'empty-cache'),
        EMBEDDING_MODEL_INDEX_URL: `http://127.0.0.1:${closedPort}/simple`,
      },
      { logger: recording },
    );
    const indexing = await factory.create('indexing');
    const search = await factory.create('search');
    try {
      for (const embedder of [indexing, search]) {
        assert.ok(embedder instanceof UseLiteEmbedder);
        assert.deepEqual([embedder.modelId, embedder.dimension], ['use-lite-512', 512]);
      }
      const warnings = lines.filter((line) => line.level === 'warn' || line.level === 'error');
      assert.equal(warnings.length, 1, JSON.stringify(lines));
      assert.match(
        warnings[0]!.message,
        /all-MiniLM-L6-v2 is not cached and cannot be downloaded .*unreachable.*using the bundled use-lite-512/,
      );
    } finally {
      await indexing.close();
      await search.close();
    }
  });

  it('starts USE-lite when EMBEDDING_MODEL chooses it, without asking the index', async () => {
    const closedPort = await freePort();
    const { logger: recording, lines } = recordingLogger();
    const embedder = await createEmbedder(
      { ...base, EMBEDDING_MODEL: 'use-lite-512', EMBEDDING_MODEL_INDEX_URL: `http://127.0.0.1:${closedPort}/simple` },
      { logger: recording },
      'search',
    );
    try {
      assert.ok(embedder instanceof UseLiteEmbedder);
      assert.deepEqual(lines, []);
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
    await assert.rejects(
      createEmbedder({ ...base, EMBEDDING_MODEL: 'minilm' }, { logger }),
      /has all-MiniLM-L6-v2 and use-lite-512, not minilm/,
    );
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
