import assert from 'node:assert/strict';
import type { CatalogFileState, ScannedFile } from '../../../core/src/domain/file-state.js';
import { diffChunks, planRefresh, planScan, type HashedFile } from '../../src/pipeline/plan-refresh.js';

const state = (size: number, mtimeMs: number, contentHash: string): CatalogFileState => ({
  size,
  mtimeMs,
  contentHash,
});
const stat = (size: number, mtimeMs: number): ScannedFile => ({ size, mtimeMs });

describe('planScan', () => {
  it('hashes only new files and files whose size or mtime changed', () => {
    const catalog = new Map([
      ['same.ts', state(10, 1, 'h1')],
      ['resized.ts', state(10, 1, 'h2')],
      ['retouched.ts', state(10, 1, 'h3')],
    ]);
    const scanned = new Map([
      ['same.ts', stat(10, 1)],
      ['resized.ts', stat(11, 1)],
      ['retouched.ts', stat(10, 2)],
      ['new.ts', stat(5, 1)],
    ]);
    assert.deepEqual(planScan(catalog, scanned), {
      suspects: ['new.ts', 'resized.ts', 'retouched.ts'],
      deleted: [],
      unchangedCount: 1,
    });
  });

  it('reports catalog paths missing from disk as deleted', () => {
    const catalog = new Map([
      ['gone.ts', state(1, 1, 'a')],
      ['kept.ts', state(1, 1, 'b')],
    ]);
    const plan = planScan(catalog, new Map([['kept.ts', stat(1, 1)]]));
    assert.deepEqual(plan.deleted, ['gone.ts']);
    assert.deepEqual(plan.suspects, []);
  });

  it('treats an empty catalog as all new and an empty scan as all deleted', () => {
    assert.deepEqual(planScan(new Map(), new Map([['a', stat(1, 1)]])).suspects, ['a']);
    assert.deepEqual(planScan(new Map([['a', state(1, 1, 'x')]]), new Map()).deleted, ['a']);
  });
});

describe('planRefresh', () => {
  const hashed = (entries: [string, number, number, string][]): Map<string, HashedFile> =>
    new Map(entries.map(([path, size, mtimeMs, contentHash]) => [path, { size, mtimeMs, contentHash }]));

  it('touches files whose content hash did not change and reindexes those whose hash did', () => {
    const catalog = new Map([
      ['touched.ts', state(10, 1, 'same')],
      ['edited.ts', state(10, 1, 'old')],
    ]);
    const scan = { suspects: ['edited.ts', 'touched.ts', 'new.ts'], deleted: [], unchangedCount: 0 };
    const plan = planRefresh(
      catalog,
      scan,
      hashed([
        ['touched.ts', 10, 2, 'same'],
        ['edited.ts', 10, 2, 'new'],
        ['new.ts', 3, 1, 'fresh'],
      ]),
    );
    assert.deepEqual(plan.touch, ['touched.ts']);
    assert.deepEqual(plan.reindex, ['edited.ts', 'new.ts']);
    assert.deepEqual(plan.renames, []);
  });

  it('pairs a deleted path with a new path of the same content as a rename', () => {
    const catalog = new Map([['old/name.ts', state(10, 1, 'h')]]);
    const scan = { suspects: ['new/name.ts'], deleted: ['old/name.ts'], unchangedCount: 0 };
    const plan = planRefresh(catalog, scan, hashed([['new/name.ts', 10, 5, 'h']]));
    assert.deepEqual(plan.renames, [{ from: 'old/name.ts', to: 'new/name.ts' }]);
    assert.deepEqual(plan.delete, ['old/name.ts']);
    assert.deepEqual(plan.reindex, ['new/name.ts']);
  });

  it('pairs each deleted copy at most once when several files share content', () => {
    const catalog = new Map([
      ['a.ts', state(1, 1, 'h')],
      ['b.ts', state(1, 1, 'h')],
    ]);
    const scan = { suspects: ['c.ts', 'd.ts', 'e.ts'], deleted: ['a.ts', 'b.ts'], unchangedCount: 0 };
    const plan = planRefresh(
      catalog,
      scan,
      hashed([
        ['c.ts', 1, 2, 'h'],
        ['d.ts', 1, 2, 'h'],
        ['e.ts', 1, 2, 'h'],
      ]),
    );
    assert.deepEqual(plan.renames, [
      { from: 'a.ts', to: 'c.ts' },
      { from: 'b.ts', to: 'd.ts' },
    ]);
  });

  it('leaves a suspect that vanished before hashing to the next sync', () => {
    const scan = { suspects: ['vanished.ts'], deleted: [], unchangedCount: 0 };
    const plan = planRefresh(new Map(), scan, new Map());
    assert.deepEqual(plan, { reindex: [], touch: [], delete: [], renames: [] });
  });
});

describe('diffChunks', () => {
  it('keeps chunks whose content-derived id is unchanged and replaces the rest', () => {
    const diff = diffChunks(['a', 'b', 'c'], [{ id: 'a' }, { id: 'd' }]);
    assert.deepEqual(diff.upsert, [{ id: 'd' }]);
    assert.deepEqual(diff.deleteIds, ['b', 'c']);
  });

  it('deletes every chunk of a file that now has none', () => {
    assert.deepEqual(diffChunks(['a'], []), { upsert: [], deleteIds: ['a'] });
  });
});
