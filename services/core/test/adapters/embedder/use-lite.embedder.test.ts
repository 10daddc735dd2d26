import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { UseLiteEmbedder } from '../../../src/adapters/embedder/use-lite.embedder.js';
import { EmbeddingError } from '../../../src/errors.js';

/** The embedder's worker threads; reached through its private pool to kill one the way a crash would. */
function workers(embedder: UseLiteEmbedder): Worker[] {
  return (Reflect.get(embedder, 'pool') as Array<{ worker: Worker }>).map((slot) => slot.worker);
}

describe('UseLiteEmbedder', function () {
  this.timeout(120_000);

  it('fails only the batch of a worker that dies, then replaces the worker', async () => {
    const embedder = new UseLiteEmbedder({ workers: 1, batchSize: 2 });
    try {
      await embedder.start();
      const [victim] = workers(embedder);
      const doomed = embedder.embed(['one', 'two']);
      await victim!.terminate();
      await assert.rejects(doomed, EmbeddingError);
      const vectors = await embedder.embed(['three', 'four', 'five']);
      assert.equal(vectors.length, 3);
      assert.equal(workers(embedder).length, 1);
      assert.notEqual(workers(embedder)[0], victim);
    } finally {
      await embedder.close();
    }
  });

  it('rejects calls after close and work still queued at close', async () => {
    const embedder = new UseLiteEmbedder({ workers: 1, batchSize: 1 });
    await embedder.start();
    const pending = assert.rejects(embedder.embed(['a', 'b', 'c', 'd']), /closed/);
    await embedder.close();
    await pending;
    await assert.rejects(embedder.embed(['late']), /closed/);
  });

  it('refuses a pool without workers', () => {
    assert.throws(() => new UseLiteEmbedder({ workers: 0 }), EmbeddingError);
  });
});
