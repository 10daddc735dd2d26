import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxEmbedder } from '../../src/adapters/embedder/onnx.embedder.js';
import { DependencyError, EmbeddingError } from '../../src/errors.js';
import type { Embedder } from '../../src/ports/embedder.js';
import { FaultyEmbedder } from '../../src/testing/faulty.embedder.js';
import { writeTinyOnnxModel } from '../../../../test/support/tiny-onnx-model.js';

describe('FaultyEmbedder', function () {
  this.timeout(60_000);
  let directory: string;
  let inner: OnnxEmbedder;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'myragdb-faulty-'));
    inner = await OnnxEmbedder.load({ modelDirectory: await writeTinyOnnxModel(directory) });
  });

  after(async () => {
    await inner.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('passes calls through until a scheduled fault, then fails exactly the scheduled calls', async () => {
    const faulty = new FaultyEmbedder(inner).failCalls({ kind: 'throw' }, { from: 1, times: 2 });
    assert.equal(faulty.dimension, inner.dimension);
    assert.equal((await faulty.embed(['a', 'b'])).length, 2);
    await assert.rejects(faulty.embed(['c']), DependencyError);
    await assert.rejects(faulty.embed(['d']), DependencyError);
    assert.equal((await faulty.embed(['e'])).length, 1);
    assert.deepEqual(faulty.calls, [['a', 'b'], ['c'], ['d'], ['e']]);
  });

  it('injects short batches, wrong dimensions, custom errors and hangs released by close', async () => {
    // A view that leaves `inner` open for the other tests when the faulty embedder closes.
    const view: Embedder = {
      modelId: inner.modelId,
      dimension: inner.dimension,
      embed: (texts) => inner.embed(texts),
      close: async () => {},
    };
    const faulty = new FaultyEmbedder(view)
      .failCalls({ kind: 'short-batch' }, { from: 0 })
      .failCalls({ kind: 'wrong-dimension' }, { from: 1 })
      .failCalls({ kind: 'throw', error: new EmbeddingError('bad batch') }, { from: 2 })
      .failCalls({ kind: 'hang' }, { from: 3 });
    assert.equal((await faulty.embed(['a', 'b', 'c'])).length, 2);
    assert.ok((await faulty.embed(['a'])).every((vector) => vector.length === inner.dimension + 1));
    await assert.rejects(faulty.embed(['a']), /bad batch/);
    const hung = faulty.embed(['a']);
    await faulty.close();
    await assert.rejects(hung, /closed/);
  });
});
