import pLimit from 'p-limit';
import PQueue from 'p-queue';
import type { Chunker } from '../chunking/chunker.js';
import type { Chunk } from '../../../core/src/domain/chunk.js';
import { discoverFiles } from '../discovery/discover-files.js';
import { readSourceFile } from '../discovery/read-source-file.js';
import type { Repository } from '../../../core/src/domain/repository.js';
import type {
  Catalog,
  FileChange,
  IndexModel,
  RepositoryCatalog,
  SkippedFile,
} from '../../../core/src/ports/catalog.js';
import type { Embedder } from '../../../core/src/ports/embedder.js';
import type { KeywordIndex } from '../../../core/src/ports/keyword-index.js';
import type { VectorIndex } from '../../../core/src/ports/vector-index.js';
import type { SecretFilePolicy } from '../../../core/src/domain/secret-files.js';
import { embedPendingVectors } from './embed-pending.js';
import { hashFiles } from './hash-files.js';
import { diffChunks, planRefresh, planScan, type HashedFile } from './plan-refresh.js';

/** Stands in for the hash of a new file until it is read: never equal to a catalog hash. */
const UNREAD_NEW_FILE = '';

/** What a sync needs from the catalog. */
export type SyncCatalog = Omit<Catalog, keyof RepositoryCatalog | 'findChunkIdsByContentHash' | 'getChunks'>;

export type RepositorySpec = Pick<Repository, 'name' | 'include' | 'exclude' | 'maxFileBytes'>;

export interface SyncDependencies {
  catalog: SyncCatalog;
  keywordIndex: KeywordIndex;
  vectorIndex: VectorIndex;
  embedder: Embedder;
  chunker: Chunker;
  /** Credential files never indexed (the built-in list when omitted). */
  secretFiles?: SecretFilePolicy;
  /** Vectors of another embedding space, for dropping a repository's vectors after a model change. */
  vectorIndexFor?(model: IndexModel): VectorIndex;
}

export type SyncPhase = 'scan' | 'keyword' | 'vectors';

export interface SyncProgress {
  phase: SyncPhase;
  filesTotal: number;
  filesDone: number;
  chunksWritten: number;
  vectorsWritten: number;
}

export interface SyncOptions {
  /** Drop the repository's documents from every store first and index everything again. */
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Files chunked and written per catalog transaction. */
  fileBatchSize?: number;
  embedBatchSize?: number;
  embedConcurrency?: number;
}

export interface SyncResult {
  scanned: number;
  unchanged: number;
  reindexed: number;
  touched: number;
  deleted: number;
  renamed: number;
  skipped: number;
  chunksWritten: number;
  chunksDeleted: number;
  vectorsWritten: number;
  embedded: number;
  embeddingCacheHits: number;
  generation: number;
  keywordPhaseMs: number;
  vectorPhaseMs: number;
  embedderBusyMs: number;
}

/**
 * Brings one repository's documents in every store in line with its files.
 *
 * Phase 1 (keyword): stat every file, hash only those whose size/mtime changed, re-chunk changed files and write
 * their keyword documents, drop chunks of changed and deleted files from every store, then commit the catalog rows.
 * The catalog is written last, so a job killed half way leaves the old catalog state and the next run redoes the
 * same (idempotent) writes; keyword documents written but never committed are recorded first and deleted by the
 * next run, in case their file changed again meanwhile. Phase 2 (vectors) embeds what is marked vectors-pending;
 * see `embedPendingVectors`.
 */
export async function syncRepository(
  root: string,
  repository: RepositorySpec,
  deps: SyncDependencies,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const { catalog, keywordIndex, vectorIndex, embedder } = deps;
  const name = repository.name;
  const signal = options.signal;
  const started = performance.now();
  const progress: SyncProgress = { phase: 'scan', filesTotal: 0, filesDone: 0, chunksWritten: 0, vectorsWritten: 0 };
  const report = () => options.onProgress?.({ ...progress });
  report();

  if (options.full) {
    await keywordIndex.deleteRepository(name);
    await vectorIndex.deleteRepository(name);
    await catalog.clearRepository(name);
  } else {
    // Documents an earlier sync wrote and died before committing (jobs of one repository never overlap).
    const leftovers = await catalog.uncommittedKeywordWrites(name);
    if (leftovers.length > 0) await keywordIndex.delete(leftovers);
  }
  await catalog.forgetKeywordWrites(name);
  await ensureIndexModel(name, deps);
  await ensureKeywordStore(name, deps, options, (written) => {
    progress.phase = 'keyword';
    progress.chunksWritten += written;
    report();
  });

  const discovered = await discoverFiles(root, { ...repository, secretFiles: deps.secretFiles });
  signal?.throwIfAborted();
  const known = await catalog.fileStates(name);
  const scan = planScan(known, discovered.files);
  // A new path is re-chunked whatever its hash, and the read that chunks it hashes it too; hashing it up front only
  // matters when a deleted path could have been renamed to it. So a first sync reads every file once, not twice.
  const toHash = scan.deleted.length > 0 ? scan.suspects : scan.suspects.filter((path) => known.has(path));
  const hashes = await hashFiles(root, toHash);
  const hashed = new Map<string, HashedFile>();
  for (const path of scan.suspects) {
    const contentHash = hashes.get(path) ?? (known.has(path) ? undefined : UNREAD_NEW_FILE);
    if (contentHash !== undefined) hashed.set(path, { ...discovered.files.get(path)!, contentHash });
  }
  const plan = planRefresh(known, scan, hashed);
  signal?.throwIfAborted();

  progress.phase = 'keyword';
  progress.filesTotal = plan.reindex.length + plan.delete.length;
  report();

  let chunksDeleted = 0;
  if (plan.touch.length > 0) {
    await catalog.touchFiles(
      name,
      plan.touch.map((path) => ({ path, ...discovered.files.get(path)! })),
    );
  }

  const batchSize = options.fileBatchSize ?? 64;
  const removeFiles = async (paths: readonly string[]) => {
    const ids = [...(await catalog.chunkIdsByPath(name, paths)).values()].flat();
    await deleteFromStores(name, ids, deps);
    await catalog.deleteFiles(name, paths);
    chunksDeleted += ids.length;
  };
  for (let offset = 0; offset < plan.delete.length; offset += batchSize) {
    signal?.throwIfAborted();
    const paths = plan.delete.slice(offset, offset + batchSize);
    await removeFiles(paths);
    progress.filesDone += paths.length;
    report();
  }

  const readSkipped: SkippedFile[] = [];
  const writeBatch = async (paths: readonly string[], results: readonly PreparedFile[]) => {
    const prepared = results.filter((file) => file.kind === 'text');
    // Found binary, minified or unreadable only now: recorded as skipped, and dropped if it was indexed before.
    const skippedNow = results.filter((file) => file.kind === 'skipped');
    readSkipped.push(...skippedNow.map(({ path, reason }) => ({ path, reason })));
    const previouslyIndexed = skippedNow.map((file) => file.path).filter((path) => known.has(path));
    if (previouslyIndexed.length > 0) await removeFiles(previouslyIndexed);

    const previous = await catalog.chunkIdsByPath(
      name,
      prepared.map((file) => file.path),
    );
    const changes: FileChange[] = prepared.map((file) => {
      const diff = diffChunks(previous.get(file.path) ?? [], file.chunks);
      return { ...file.state, path: file.path, upsert: diff.upsert, deleteIds: diff.deleteIds };
    });
    const upserts = changes.flatMap((change) => change.upsert);
    const deleteIds = changes.flatMap((change) => change.deleteIds);
    if (upserts.length > 0) {
      await catalog.recordKeywordWrites(
        name,
        upserts.map((chunk) => chunk.id),
      );
      await keywordIndex.upsert(upserts);
    }
    await deleteFromStores(name, deleteIds, deps);
    if (changes.length > 0) await catalog.applyFileChanges(name, changes);
    progress.filesDone += paths.length;
    progress.chunksWritten += upserts.length;
    chunksDeleted += deleteIds.length;
    report();
  };

  // Reading and chunking are CPU-bound here, writing is mostly the stores' work: the next batch is chunked while
  // two batches write (their files are disjoint, so their writes commute).
  const readLimit = pLimit(8);
  const prepare = (paths: readonly string[]) =>
    Promise.all(paths.map((path) => readLimit(() => prepareFile(root, repository, path, deps.chunker))));
  const batches: string[][] = [];
  for (let offset = 0; offset < plan.reindex.length; offset += batchSize) {
    batches.push(plan.reindex.slice(offset, offset + batchSize));
  }
  const writes = new PQueue({ concurrency: 2 });
  let writeFailure: Error | undefined;
  try {
    let next = batches.length > 0 ? prepare(batches[0]!) : undefined;
    for (let index = 0; index < batches.length && writeFailure === undefined; index++) {
      signal?.throwIfAborted();
      const results = await next!;
      next = index + 1 < batches.length ? prepare(batches[index + 1]!) : undefined;
      next?.catch(() => undefined);
      const paths = batches[index]!;
      writes
        .add(() => writeBatch(paths, results))
        .catch((error: unknown) => {
          writeFailure ??= error instanceof Error ? error : new Error(String(error));
        });
      await writes.onSizeLessThan(1);
    }
  } finally {
    // Never leave writes running behind a failed or aborted sync: a retry must not race them.
    await writes.onIdle();
  }
  if (writeFailure !== undefined) throw writeFailure;
  await catalog.replaceSkippedFiles(name, [...discovered.skipped, ...readSkipped]);

  // Search caches key on the generation: bump it when results can change (keyword documents now, vectors below),
  // never for a no-change sync, so periodic syncs do not flush every cache.
  const keywordChanged = options.full || progress.chunksWritten > 0 || chunksDeleted > 0;
  let generation = keywordChanged ? await catalog.bumpIndexGeneration(name) : await currentGeneration(catalog, name);
  const keywordPhaseMs = performance.now() - started;

  progress.phase = 'vectors';
  report();
  const vectors = await embedPendingVectors(
    name,
    { backlog: catalog, embedder, vectorIndex },
    {
      batchSize: options.embedBatchSize,
      concurrency: options.embedConcurrency,
      signal,
      onProgress: (embedding) => {
        progress.vectorsWritten = embedding.vectorsWritten;
        report();
      },
    },
  );

  if (vectors.vectorsWritten > 0) generation = await catalog.bumpIndexGeneration(name);

  return {
    scanned: discovered.files.size,
    unchanged: scan.unchangedCount,
    reindexed: plan.reindex.length,
    touched: plan.touch.length,
    deleted: plan.delete.length,
    renamed: plan.renames.length,
    skipped: discovered.skipped.length + readSkipped.length,
    chunksWritten: progress.chunksWritten,
    chunksDeleted,
    vectorsWritten: vectors.vectorsWritten,
    embedded: vectors.embedded,
    embeddingCacheHits: vectors.cacheHits,
    generation,
    keywordPhaseMs,
    vectorPhaseMs: vectors.elapsedMs,
    embedderBusyMs: vectors.embedderBusyMs,
  };
}

type PreparedFile =
  | { kind: 'text'; path: string; state: HashedFile; chunks: Chunk[] }
  | { kind: 'skipped'; path: string; reason: string };

/** Reads a file as the chunker sees it; its hash, size and mtime are those of the bytes actually chunked. */
async function prepareFile(
  root: string,
  repository: RepositorySpec,
  path: string,
  chunker: Chunker,
): Promise<PreparedFile> {
  const file = await readSourceFile(root, path, repository.maxFileBytes);
  if (file.kind === 'skipped') return { kind: 'skipped', path, reason: file.reason };
  const chunks = await chunker.chunk({ repository: repository.name, path, content: file.content });
  return {
    kind: 'text',
    path,
    state: { size: file.size, mtimeMs: file.mtimeMs, contentHash: file.contentHash },
    chunks,
  };
}

async function currentGeneration(catalog: SyncCatalog, repository: string): Promise<number> {
  return (await catalog.indexGenerations([repository])).get(repository) ?? 0;
}

async function deleteFromStores(repository: string, ids: readonly string[], deps: SyncDependencies): Promise<void> {
  if (ids.length === 0) return;
  await deps.keywordIndex.delete(ids);
  await deps.vectorIndex.delete(repository, ids);
}

/** Chunks read from the catalog and written per keyword request when a repository moves to another keyword store. */
const KEYWORD_REFILL_BATCH = 500;

/**
 * A repository's keyword documents live in one keyword store. When the recorded store is another one (or unknown),
 * the catalog's chunks are written into this store over whatever it holds, then the documents it kept from an
 * earlier time that the catalog no longer has are deleted, and this store is recorded. Upserting before deleting
 * leaves no moment where a chunk the catalog has cannot be found (a format change of the store in use stays
 * searchable throughout). `onWritten` hears of each batch.
 */
async function ensureKeywordStore(
  repository: string,
  deps: SyncDependencies,
  options: SyncOptions,
  onWritten: (count: number) => void,
): Promise<void> {
  const { catalog, keywordIndex } = deps;
  if ((await catalog.getKeywordStore(repository)) === keywordIndex.store) return;
  if (!options.full) {
    const current = new Set<string>();
    for (let afterId: string | undefined; ;) {
      options.signal?.throwIfAborted();
      const chunks = await catalog.listChunks(repository, afterId, KEYWORD_REFILL_BATCH);
      if (chunks.length === 0) break;
      await keywordIndex.upsert(chunks);
      for (const chunk of chunks) current.add(chunk.id);
      onWritten(chunks.length);
      afterId = chunks.at(-1)!.id;
    }
    const stale = (await keywordIndex.documentIds(repository)).filter((id) => !current.has(id));
    if (stale.length > 0) await keywordIndex.delete(stale);
  }
  await catalog.recordKeywordStore(repository, keywordIndex.store);
}

/**
 * A repository's vectors all come from one model. When the embedder's model differs from the one recorded, the old
 * vectors are dropped and every chunk is marked for embedding again, before anything new is written.
 */
async function ensureIndexModel(repository: string, deps: SyncDependencies): Promise<void> {
  const current: IndexModel = { modelId: deps.embedder.modelId, dimension: deps.embedder.dimension };
  const recorded = await deps.catalog.getIndexModel(repository);
  if (recorded && recorded.modelId === current.modelId && recorded.dimension === current.dimension) return;
  if (recorded) await deps.vectorIndexFor?.(recorded).deleteRepository(repository);
  await deps.vectorIndex.deleteRepository(repository);
  await deps.catalog.resetIndexModel(repository, current);
}
