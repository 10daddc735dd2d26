import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { OnnxEmbedder } from '../../../src/adapters/embedder/onnx.embedder.js';
import { OpenAiCompatibleEmbedder } from '../../../src/adapters/embedder/openai-compatible.embedder.js';
import { UseLiteEmbedder } from '../../../src/adapters/embedder/use-lite.embedder.js';
import type { Embedder } from '../../../src/ports/embedder.js';
import { embedderContract } from '../../../src/testing/embedder.contract.js';
import {
  startOpenAiEmbeddingsServer,
  type OpenAiEmbeddingsServer,
} from '../../../../../test/support/openai-embeddings-server.js';
import { writeTinyOnnxModel } from '../../../../../test/support/tiny-onnx-model.js';

const silent = winston.createLogger({ silent: true });

/** The embedder, whose `close()` also stops what the test started for it. */
function closingAlso(embedder: Embedder, cleanup: () => Promise<void>): Embedder {
  return {
    modelId: embedder.modelId,
    dimension: embedder.dimension,
    embed: (texts) => embedder.embed(texts),
    close: async () => {
      await embedder.close();
      await cleanup();
    },
  };
}

embedderContract('USE-lite (worker threads, offline)', async () => new UseLiteEmbedder({ workers: 2, batchSize: 4 }));

let server: OpenAiEmbeddingsServer | undefined;
let serverModel: UseLiteEmbedder | undefined;
embedderContract('openai-compatible against a local /v1/embeddings server', async () => {
  serverModel = new UseLiteEmbedder({ workers: 1 });
  server = await startOpenAiEmbeddingsServer(serverModel);
  const embedder = new OpenAiCompatibleEmbedder({
    endpoint: server.url,
    model: 'use-lite',
    batchSize: 3,
    logger: silent,
  });
  await embedder.discoverDimension();
  return closingAlso(embedder, async () => {
    await server?.close();
    await serverModel?.close();
  });
});

let modelParent: string | undefined;
embedderContract('onnx (worker threads, tiny bag-of-words model written by the test)', async () => {
  modelParent = await mkdtemp(join(tmpdir(), 'myragdb-onnx-'));
  const embedder = await OnnxEmbedder.load({ modelDirectory: await writeTinyOnnxModel(modelParent), batchSize: 2 });
  return closingAlso(embedder, () => rm(modelParent!, { recursive: true, force: true }));
});
