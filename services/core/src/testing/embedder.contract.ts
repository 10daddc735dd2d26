import assert from 'node:assert/strict';
import type { Embedder } from '../ports/embedder.js';

export interface EmbedderContractOptions {
  /** Model load and inference can be slow on a busy 2-core machine. */
  timeoutMs?: number;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    normA += a[index]! ** 2;
    normB += b[index]! ** 2;
  }
  return dot / Math.sqrt(normA * normB);
}

function assertClose(actual: readonly number[], expected: readonly number[], message: string): void {
  assert.equal(actual.length, expected.length, message);
  const worst = Math.max(...actual.map((value, index) => Math.abs(value - expected[index]!)));
  assert.ok(worst < 1e-4, `${message}: differs by ${worst}`);
}

/**
 * What every `Embedder` adapter promises: one finite vector of `dimension` per text, in input order, the same for
 * the same text, closer for related texts than for unrelated ones, and no failure on empty or very long input.
 */
export function embedderContract(
  name: string,
  create: () => Promise<Embedder>,
  options: EmbedderContractOptions = {},
): void {
  describe(`Embedder contract: ${name}`, function () {
    this.timeout(options.timeoutMs ?? 120_000);
    let embedder: Embedder;

    before(async () => {
      embedder = await create();
    });

    after(async () => {
      await embedder?.close();
    });

    it('has a model id and a positive dimension', () => {
      assert.ok(embedder.modelId.length > 0);
      assert.ok(Number.isInteger(embedder.dimension) && embedder.dimension > 0);
    });

    it('returns one finite vector of the dimension per text, in input order', async () => {
      const texts = [
        'function getUserName(user) { return user.name; }',
        'SELECT id, title FROM posts ORDER BY created_at DESC',
        'The quick brown fox jumps over the lazy dog.',
        'def parse_query(query): return dict(pair.split("=") for pair in query.split("&"))',
        'Install the package with npm and run the server on port 3000.',
      ];
      const together = await embedder.embed(texts);
      assert.equal(together.length, texts.length);
      for (const vector of together) {
        assert.equal(vector.length, embedder.dimension);
        assert.ok(vector.every(Number.isFinite));
      }
      for (const [index, text] of texts.entries()) {
        const [alone] = await embedder.embed([text]);
        assertClose(together[index]!, alone!, `text ${index} embedded alone`);
      }
      const reversed = await embedder.embed([...texts].reverse());
      for (const [index, vector] of reversed.entries()) {
        assertClose(vector, together[texts.length - 1 - index]!, `reversed position ${index}`);
      }
    });

    it('is deterministic for the same text', async () => {
      const [first] = await embedder.embed(['retry the request with exponential backoff']);
      const [second] = await embedder.embed(['retry the request with exponential backoff']);
      assertClose(first!, second!, 'same text twice');
    });

    it('puts related texts closer together than unrelated ones', async () => {
      const [query, related, unrelated] = await embedder.embed([
        'how to parse the query string of a url',
        'parse the url query string into key value pairs',
        'chocolate cake recipe with eggs and butter',
      ]);
      const near = cosine(query!, related!);
      const far = cosine(query!, unrelated!);
      assert.ok(near > far, `related ${near.toFixed(3)} should beat unrelated ${far.toFixed(3)}`);
    });

    it('answers an empty list with an empty list and embeds an empty string', async () => {
      assert.deepEqual(await embedder.embed([]), []);
      const [blank] = await embedder.embed(['']);
      assert.equal(blank!.length, embedder.dimension);
      assert.ok(blank!.every(Number.isFinite));
    });

    it('handles very long input (truncated, not rejected)', async () => {
      const long = 'export function handler(request) { return respond(request.body); }\n'.repeat(2000);
      const vectors = await embedder.embed([long, 'short text']);
      assert.equal(vectors.length, 2);
      assert.equal(vectors[0]!.length, embedder.dimension);
      assert.ok(vectors[0]!.every(Number.isFinite));
    });
  });
}
