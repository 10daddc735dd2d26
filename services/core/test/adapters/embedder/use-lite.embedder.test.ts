import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { UseLiteEmbedder } from '../../../src/adapters/embedder/use-lite.embedder.js';
import type { WorkerRequest } from '../../../src/adapters/embedder/worker-pool.embedder.js';
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

  it('with idleReleaseMs, stops its workers when idle and starts them again on the next call', async () => {
    const embedder = new UseLiteEmbedder({ workers: 1, idleReleaseMs: 200 });
    try {
      const first = (await embedder.embed(['retry a failed request']))[0]!;
      const [before] = workers(embedder);
      assert.ok(before);
      const exited = new Promise((resolve) => before.once('exit', resolve));
      await exited;
      assert.deepEqual(workers(embedder), [], 'released, not replaced');
      const again = (await embedder.embed(['retry a failed request']))[0]!;
      assert.equal(workers(embedder).length, 1);
      assert.notEqual(workers(embedder)[0], before);
      assert.deepEqual(again, first);
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

  it('merges calls queued behind a busy worker into one batch and hands each caller its own vectors', async () => {
    const embedder = new UseLiteEmbedder({ workers: 1, batchSize: 16 });
    try {
      const queries = ['parse command line arguments', 'retry a failed request', 'open a database connection'];
      const alone: number[][] = [];
      for (const query of queries) alone.push((await embedder.embed([query]))[0]!);
      const posted: number[] = [];
      const [worker] = workers(embedder);
      const postMessage = worker!.postMessage.bind(worker);
      worker!.postMessage = (message: WorkerRequest) => {
        if ('texts' in message) posted.push(message.texts.length);
        postMessage(message);
      };
      // The first call occupies the worker; the next three wait and go together.
      const together = await Promise.all([
        embedder.embed(['warm']).then((vectors) => vectors[0]!),
        ...queries.map(async (query) => (await embedder.embed([query]))[0]!),
      ]);
      assert.deepEqual(posted, [1, 3]);
      together.slice(1).forEach((vector, index) => {
        const expected = alone[index]!;
        const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
        const similarity = dot(vector, expected) / Math.sqrt(dot(vector, vector) * dot(expected, expected));
        assert.ok(similarity > 0.999, `${queries[index]} got its own vector (cosine ${similarity})`);
      });
    } finally {
      await embedder.close();
    }
  });

  it('refuses a pool without workers', () => {
    assert.throws(() => new UseLiteEmbedder({ workers: 0 }), EmbeddingError);
  });
});
