/**
 * Incremental-refresh planning, in two pure steps (after Continue's content-hash catalog):
 *  1. `planScan` compares the catalog with a stat-only scan: unchanged size+mtime means unchanged content,
 *     so only the rest ("suspects") need hashing.
 *  2. `planRefresh` compares the suspects' hashes with the catalog: same hash is a metadata touch, a different
 *     or new hash is re-chunked, paths gone from disk are deleted. A rename shows up as a delete plus an add of
 *     the same hash; the embedding cache (keyed by content hash) is what keeps it from re-embedding.
 */

import type { CatalogFileState, ScannedFile } from '../../../core/src/domain/file-state.js';

export interface ScanPlan {
  /** Paths whose size or mtime changed, or that are new: hash these. */
  suspects: string[];
  /** Paths in the catalog but no longer on disk (or no longer indexable). */
  deleted: string[];
  unchangedCount: number;
}

export function planScan(
  catalog: ReadonlyMap<string, CatalogFileState>,
  scanned: ReadonlyMap<string, ScannedFile>,
): ScanPlan {
  const suspects: string[] = [];
  let unchangedCount = 0;
  for (const [path, file] of scanned) {
    const known = catalog.get(path);
    if (known && known.size === file.size && known.mtimeMs === file.mtimeMs) unchangedCount++;
    else suspects.push(path);
  }
  const deleted = [...catalog.keys()].filter((path) => !scanned.has(path));
  return { suspects: suspects.sort(), deleted: deleted.sort(), unchangedCount };
}

export interface HashedFile extends ScannedFile {
  contentHash: string;
}

export interface RefreshPlan {
  /** New or changed content: re-chunk, write new chunks, delete the file's old chunks. */
  reindex: string[];
  /** Same content, new size/mtime (e.g. `touch`, checkout): update the catalog row only. */
  touch: string[];
  /** Remove the file and its chunks from every store. */
  delete: string[];
  /** New paths whose content the catalog already holds under a path being deleted. */
  renames: { from: string; to: string }[];
}

export function planRefresh(
  catalog: ReadonlyMap<string, CatalogFileState>,
  scan: ScanPlan,
  hashed: ReadonlyMap<string, HashedFile>,
): RefreshPlan {
  const reindex: string[] = [];
  const touch: string[] = [];
  for (const path of scan.suspects) {
    const file = hashed.get(path);
    // A suspect that could not be read any more (deleted between stat and hash) is left to the next sync.
    if (!file) continue;
    if (catalog.get(path)?.contentHash === file.contentHash) touch.push(path);
    else reindex.push(path);
  }

  const deletedByHash = new Map<string, string[]>();
  for (const path of scan.deleted) {
    const hash = catalog.get(path)?.contentHash;
    if (hash === undefined) continue;
    deletedByHash.set(hash, [...(deletedByHash.get(hash) ?? []), path]);
  }
  const renames: { from: string; to: string }[] = [];
  for (const path of reindex) {
    const hash = hashed.get(path)?.contentHash;
    const from = hash === undefined ? undefined : deletedByHash.get(hash)?.shift();
    if (from !== undefined && !catalog.has(path)) renames.push({ from, to: path });
  }
  return { reindex, touch, delete: scan.deleted, renames };
}

export interface ChunkDiff<TChunk extends { id: string }> {
  upsert: TChunk[];
  deleteIds: string[];
}

/**
 * Which chunk rows of one re-chunked file change. Ids are content-derived, so an unchanged chunk keeps its id
 * and is neither rewritten nor re-embedded.
 */
export function diffChunks<TChunk extends { id: string }>(
  previousIds: Iterable<string>,
  next: readonly TChunk[],
): ChunkDiff<TChunk> {
  const previous = new Set(previousIds);
  const nextIds = new Set(next.map((chunk) => chunk.id));
  const upsert = next.filter((chunk) => !previous.has(chunk.id));
  return { upsert, deleteIds: [...previous].filter((id) => !nextIds.has(id)) };
}
