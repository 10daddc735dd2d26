/**
 * The catalog: PostgreSQL's record of repositories, their files and chunks, the embedding cache and index state.
 * It is the source of truth the stores are rebuilt from. Method names follow what a sync does, in order:
 * plan (fileStates), write keyword-phase rows (applyFileChanges, touchFiles, deleteFiles), then embed
 * (listPendingVectors → cache → markVectorsDone).
 */
import type { Chunk } from '../domain/chunk.js';
import type { NewRepository, Repository, RepositoryUpdate } from '../domain/repository.js';
import type { CatalogFileState, ScannedFile } from '../domain/file-state.js';

/** One re-chunked file, written with its chunk rows in one transaction. */
export interface FileChange {
  path: string;
  size: number;
  mtimeMs: number;
  contentHash: string;
  /** New chunk rows (vectors pending). Rows already present under the same id keep their vector mark. */
  upsert: Chunk[];
  /** Chunk rows of this file that no longer exist. */
  deleteIds: string[];
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface IndexModel {
  modelId: string;
  dimension: number;
}

/** A chunk whose keyword document is written but whose vector is not (yet). */
export interface PendingVectorChunk {
  id: string;
  path: string;
  language: string;
  symbol?: string;
  contentHash: string;
  content: string;
}

export interface RepositoryStats {
  repository: string;
  files: number;
  chunks: number;
  vectorsPending: number;
  skippedFiles: number;
  /** Skipped files per reason, e.g. `{ "binary": 3, "too large": 1 }`. */
  skippedByReason: Record<string, number>;
  /** A sample of skipped files (first 100 by path). */
  skipped: SkippedFile[];
  model: IndexModel | undefined;
  /** The keyword store holding its documents (`KeywordIndex.store`); undefined before its first sync. */
  keywordStore: string | undefined;
  generation: number;
  lastIndexedAt: Date | undefined;
  lastError: string | undefined;
}

export interface RepositoryCatalog {
  /** Throws ConflictError when the name is taken, ValidationError for bad input. */
  createRepository(input: NewRepository): Promise<Repository>;
  /** Throws NotFoundError. */
  getRepository(name: string): Promise<Repository>;
  listRepositories(): Promise<Repository[]>;
  updateRepository(name: string, update: RepositoryUpdate): Promise<Repository>;
  /** Removes the repository and every row that belongs to it (files, chunks, jobs, index state). */
  deleteRepository(name: string): Promise<void>;
}

export interface VectorBacklog {
  /** Up to `limit` pending chunks of the repository with ids greater than `afterId`, in id order (keyset paging). */
  listPendingVectors(repository: string, afterId: string | undefined, limit: number): Promise<PendingVectorChunk[]>;
  getCachedEmbeddings(modelId: string, textHashes: readonly string[]): Promise<Map<string, number[]>>;
  putCachedEmbeddings(modelId: string, embeddings: ReadonlyMap<string, number[]>): Promise<void>;
  markVectorsDone(repository: string, chunkIds: readonly string[]): Promise<void>;
}

/** Files, their chunks and the keyword-write intents of a sync in progress. */
export interface FileCatalog {
  /** path → size, mtime, content hash of every indexed (not skipped) file: the refresh planner's input. */
  fileStates(repository: string): Promise<Map<string, CatalogFileState>>;
  chunkIdsByPath(repository: string, paths: readonly string[]): Promise<Map<string, string[]>>;
  /**
   * Writes each file row with its chunk rows atomically (all of `changes` in one transaction), and forgets the
   * recorded keyword writes of those chunks.
   */
  applyFileChanges(repository: string, changes: readonly FileChange[]): Promise<void>;
  /** Records keyword documents about to be written, until `applyFileChanges` commits their chunks. */
  recordKeywordWrites(repository: string, chunkIds: readonly string[]): Promise<void>;
  /** Recorded keyword writes whose chunks were never committed: documents a dead sync left behind. */
  uncommittedKeywordWrites(repository: string): Promise<string[]>;
  /** Forgets every recorded keyword write of the repository (once its leftovers are deleted from the store). */
  forgetKeywordWrites(repository: string): Promise<void>;
  /** Same content, new size/mtime. */
  touchFiles(repository: string, files: readonly ({ path: string } & ScannedFile)[]): Promise<void>;
  /** Removes the files and their chunk rows; returns the removed chunk ids. */
  deleteFiles(repository: string, paths: readonly string[]): Promise<string[]>;
  /** Replaces the repository's skipped-file list (a path both indexed and skipped stays indexed until deleted). */
  replaceSkippedFiles(repository: string, skipped: readonly SkippedFile[]): Promise<void>;
  /** Drops every file and chunk row of the repository (full rebuild); keeps the repository and its index state. */
  clearRepository(repository: string): Promise<void>;
  /** Ids of chunks (any repository) whose content has one of these hashes: copies and renames of known content. */
  findChunkIdsByContentHash(contentHashes: readonly string[]): Promise<Map<string, string[]>>;
  /** Up to `limit` chunks of the repository with ids greater than `afterId`, in id order (keyset paging). */
  listChunks(repository: string, afterId: string | undefined, limit: number): Promise<Chunk[]>;
  /** Chunks by id, in the order asked; unknown ids are left out. */
  getChunks(ids: readonly string[]): Promise<Chunk[]>;
}

/** Per repository: the embedding model its vectors belong to, its generation, last sync outcome and counts. */
export interface IndexStateCatalog {
  getIndexModel(repository: string): Promise<IndexModel | undefined>;
  /** Records the model the repository's vectors now belong to and marks every chunk vectors-pending. */
  resetIndexModel(repository: string, model: IndexModel): Promise<void>;
  /** The keyword store (`KeywordIndex.store`) holding the repository's keyword documents; undefined when unknown. */
  getKeywordStore(repository: string): Promise<string | undefined>;
  recordKeywordStore(repository: string, store: string): Promise<void>;
  /** Increments and returns the repository's index generation (search caches key on it). */
  bumpIndexGeneration(repository: string): Promise<number>;
  /**
   * Generation per repository (0 for never indexed); unknown repositories are left out. Without names: every
   * repository, in one query (the search gateway reads it on every search).
   */
  indexGenerations(repositories?: readonly string[]): Promise<Map<string, number>>;
  /** Records a finished sync: success stamps `lastIndexedAt` and clears the error; failure keeps the last success. */
  recordSyncOutcome(repository: string, outcome: { error?: string }): Promise<void>;
  stats(repository: string): Promise<RepositoryStats>;
}

export interface Catalog extends RepositoryCatalog, FileCatalog, VectorBacklog, IndexStateCatalog {}
