/**
 * The behaviour every VectorIndex adapter must have. Call inside a `describe` whose fixtures provide a fresh, empty
 * index of dimension `DIMENSION` per `open()` and one whose store is unreachable per `openUnreachable()`.
 */
import assert from 'node:assert/strict';
import { DependencyError, ValidationError } from '../errors.js';
import type { VectorIndex, VectorRecord } from '../ports/vector-index.js';

export const VECTOR_CONTRACT_DIMENSION = 4;

export interface VectorIndexContractFixture {
  open(dimension: number): Promise<VectorIndex>;
  openUnreachable(dimension: number): Promise<VectorIndex>;
}

function record(id: string, embedding: number[], language = 'typescript'): VectorRecord {
  return { id, embedding, path: `src/${id}.ts`, language };
}

const ids = (results: readonly { id: string }[]) => results.map((result) => result.id);

export function vectorIndexContract(fixture: VectorIndexContractFixture): void {
  let index: VectorIndex;
  beforeEach(async () => {
    index = await fixture.open(VECTOR_CONTRACT_DIMENSION);
  });
  afterEach(async () => {
    await index.close();
  });

  const query = (embedding: number[], repositories = ['app'], limit = 10, languages?: string[]) =>
    index.query({ embedding, limit, repositories, ...(languages ? { languages } : {}) });

  it('returns nearest vectors first with score = 1 - cosine distance', async () => {
    await index.upsert('app', [record('x', [1, 0, 0, 0]), record('y', [0, 1, 0, 0]), record('xy', [1, 1, 0, 0])]);
    const results = await query([2, 0, 0, 0]);
    assert.deepEqual(ids(results), ['x', 'xy', 'y']);
    assert.ok(Math.abs(results[0]!.score - 1) < 1e-5);
    assert.ok(Math.abs(results[1]!.score - Math.SQRT1_2) < 1e-4);
    assert.ok(Math.abs(results[2]!.score) < 1e-5);
    assert.equal(await index.count('app'), 3);
  });

  it('keeps repositories apart and merges a multi-repository query by score', async () => {
    await index.upsert('app', [record('a1', [1, 0, 0, 0]), record('a2', [0, 0, 1, 0])]);
    await index.upsert('lib', [record('l1', [0.9, 0.1, 0, 0]), record('l2', [0, 0, 0, 1])]);
    assert.deepEqual(ids(await query([1, 0, 0, 0], ['lib'])), ['l1', 'l2']);
    assert.deepEqual(ids(await query([1, 0, 0, 0], ['app', 'lib'], 3)), ['a1', 'l1', 'a2']);
    assert.deepEqual(ids(await query([1, 0, 0, 0], ['never-indexed'])), []);
    assert.deepEqual(await query([1, 0, 0, 0], []), []);
  });

  it('filters by language', async () => {
    await index.upsert('app', [record('ts', [1, 0, 0, 0]), record('py', [1, 0.1, 0, 0], 'python')]);
    assert.deepEqual(ids(await query([1, 0, 0, 0], ['app'], 10, ['python'])), ['py']);
    assert.deepEqual(ids(await query([1, 0, 0, 0], ['app'], 10, ['python', 'typescript'])).sort(), ['py', 'ts']);
    assert.deepEqual(await query([1, 0, 0, 0], ['app'], 10, []), []);
  });

  it('replaces a vector upserted again, and upserting twice is idempotent', async () => {
    await index.upsert('app', [record('moving', [1, 0, 0, 0]), record('still', [0, 1, 0, 0])]);
    await index.upsert('app', [record('moving', [0, 0, 1, 0])]);
    await index.upsert('app', [record('moving', [0, 0, 1, 0])]);
    assert.equal(await index.count('app'), 2);
    assert.equal((await query([0, 0, 1, 0], ['app'], 1))[0]?.id, 'moving');
  });

  it('deletes by id and drops a whole repository; both are idempotent', async () => {
    await index.upsert('app', [record('a', [1, 0, 0, 0]), record('b', [0, 1, 0, 0])]);
    await index.upsert('lib', [record('c', [1, 0, 0, 0])]);
    await index.delete('app', ['a', 'unknown']);
    await index.delete('never-indexed', ['a']);
    assert.deepEqual(ids(await query([1, 0, 0, 0])), ['b']);
    await index.deleteRepository('app');
    await index.deleteRepository('app');
    assert.equal(await index.count('app'), 0);
    assert.deepEqual(await query([1, 0, 0, 0]), []);
    assert.equal(await index.count('lib'), 1);
    // A dropped repository can be written again.
    await index.upsert('app', [record('again', [1, 0, 0, 0])]);
    assert.deepEqual(ids(await query([1, 0, 0, 0])), ['again']);
  });

  it('honours the limit', async () => {
    await index.upsert(
      'app',
      Array.from({ length: 8 }, (_, i) => record(`v${i}`, [1, i / 10, 0, 0])),
    );
    assert.equal((await query([1, 0, 0, 0], ['app'], 3)).length, 3);
  });

  it('rejects bad input with ValidationError and writes nothing', async () => {
    await assert.rejects(index.upsert('app', [record('short', [1, 0])]), ValidationError);
    await assert.rejects(
      index.upsert('app', [record('ok', [1, 0, 0, 0]), record('nan', [1, Number.NaN, 0, 0])]),
      ValidationError,
    );
    await assert.rejects(query([1, 0, 0]), ValidationError);
    await assert.rejects(query([1, 0, 0, 0], ['app'], 0), ValidationError);
    assert.equal(await index.count('app'), 0);
  });

  it('raises DependencyError when the store is unreachable', async () => {
    const down = await fixture.openUnreachable(VECTOR_CONTRACT_DIMENSION);
    try {
      await assert.rejects(down.upsert('app', [record('a', [1, 0, 0, 0])]), DependencyError);
      await assert.rejects(down.query({ embedding: [1, 0, 0, 0], limit: 5, repositories: ['app'] }), DependencyError);
      await assert.rejects(down.ping(), DependencyError);
    } finally {
      await down.close().catch(() => undefined);
    }
  });
}
