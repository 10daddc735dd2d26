import PQueue from 'p-queue';
import type { PendingVectorChunk, VectorBacklog } from '../../../core/src/ports/catalog.js';
import type { Embedder } from '../../../core/src/ports/embedder.js';
import type { VectorIndex, VectorRecord } from '../../../core/src/ports/vector-index.js';
import { embeddingText, embeddingTextHash } from './embedding-text.js';

export interface EmbedPendingOptions {
  /** Texts per `embed()` call. */
  batchSize?: number;
  /** `embed()` calls in flight; one more than the embedder's worker threads keeps every thread fed. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: EmbedPendingProgress) => void;
}

export interface EmbedPendingProgress {
  vectorsWritten: number;
  embedded: number;
  cacheHits: number;
}

export interface EmbedPendingResult extends EmbedPendingProgress {
  /** Wall time of the whole phase and the time at least one `embed()` call was running, in ms. */
  elapsedMs: number;
  embedderBusyMs: number;
}

/**
 * Phase 2 of a sync: turns every vectors-pending chunk of a repository into a vector: the embedding of its
 * `embeddingText` (path, symbol, content). Texts already embedded with this model (any repository: copies) come from
 * the cache; the rest are embedded once per distinct text. Reading the next page overlaps with embedding so the embedder stays busy. A chunk's
 * mark is cleared only after its vector is stored, so a killed job resumes exactly where it stopped.
 */
export async function embedPendingVectors(
  repository: string,
  deps: { backlog: VectorBacklog; embedder: Embedder; vectorIndex: VectorIndex },
  options: EmbedPendingOptions = {},
): Promise<EmbedPendingResult> {
  const { backlog, embedder, vectorIndex } = deps;
  const batchSize = options.batchSize ?? 32;
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const started = performance.now();
  const progress: EmbedPendingProgress = { vectorsWritten: 0, embedded: 0, cacheHits: 0 };
  const busy = new BusyClock();

  const writeVectors = async (chunks: readonly KeyedChunk[], vectors: ReadonlyMap<string, number[]>) => {
    const records: VectorRecord[] = chunks.map((chunk) => ({
      id: chunk.id,
      path: chunk.path,
      language: chunk.language,
      embedding: vectors.get(chunk.textHash)!,
    }));
    await vectorIndex.upsert(repository, records);
    await backlog.markVectorsDone(
      repository,
      chunks.map((chunk) => chunk.id),
    );
    progress.vectorsWritten += chunks.length;
    options.onProgress?.({ ...progress });
  };

  const embedBatch = async (chunks: readonly KeyedChunk[]) => {
    const texts = distinctByHash(chunks);
    const vectors = await busy.time(() => embedder.embed(texts.map((chunk) => embeddingText(chunk))));
    const byHash = new Map(texts.map((chunk, index) => [chunk.textHash, vectors[index]!]));
    await backlog.putCachedEmbeddings(embedder.modelId, byHash);
    progress.embedded += texts.length;
    await writeVectors(chunks, byHash);
  };

  const work = new PQueue({ concurrency });
  let failure: Error | undefined;
  const enqueue = (task: () => Promise<void>) =>
    work.add(task).catch((error: unknown) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
    });

  try {
    for await (const pending of readPages(backlog, repository, batchSize * concurrency, options.signal)) {
      if (failure !== undefined) break;
      const page = pending.map((chunk): KeyedChunk => ({ ...chunk, textHash: embeddingTextHash(chunk) }));
      const cached = await backlog.getCachedEmbeddings(
        embedder.modelId,
        page.map((chunk) => chunk.textHash),
      );
      const hits = page.filter((chunk) => cached.has(chunk.textHash));
      const misses = page.filter((chunk) => !cached.has(chunk.textHash));
      if (hits.length > 0) {
        progress.cacheHits += hits.length;
        void enqueue(() => writeVectors(hits, cached));
      }
      for (let offset = 0; offset < misses.length && failure === undefined; offset += batchSize) {
        const batch = misses.slice(offset, offset + batchSize);
        void enqueue(() => embedBatch(batch));
        // Backpressure: read on only while every queued call has started.
        await work.onSizeLessThan(1);
      }
    }
  } finally {
    // Never return (or throw) with calls still writing: a retry must not race them.
    await work.onIdle();
  }
  if (failure !== undefined) throw failure;
  options.signal?.throwIfAborted();
  return { ...progress, elapsedMs: performance.now() - started, embedderBusyMs: busy.totalMs() };
}

/**
 * Pages of pending chunks, always one page ahead: the next read runs while the caller embeds the current page.
 * Keyset paging (id > last) stays correct while earlier pages are being marked done underneath it.
 */
async function* readPages(
  backlog: VectorBacklog,
  repository: string,
  pageSize: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<PendingVectorChunk[]> {
  let next = backlog.listPendingVectors(repository, undefined, pageSize);
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    signal?.throwIfAborted();
    next =
      page.length < pageSize ? Promise.resolve([]) : backlog.listPendingVectors(repository, page.at(-1)!.id, pageSize);
    // Don't leave a rejected prefetch unobserved if the consumer stops early.
    next.catch(() => undefined);
    yield page;
  }
}

/** A pending chunk with the hash of the text it embeds: its cache key. */
interface KeyedChunk extends PendingVectorChunk {
  textHash: string;
}

function distinctByHash(chunks: readonly KeyedChunk[]): KeyedChunk[] {
  const seen = new Map<string, KeyedChunk>();
  for (const chunk of chunks) if (!seen.has(chunk.textHash)) seen.set(chunk.textHash, chunk);
  return [...seen.values()];
}

/** Measures the time at least one timed call is running (overlapping calls count once). */
class BusyClock {
  private running = 0;
  private since = 0;
  private total = 0;

  async time<T>(call: () => Promise<T>): Promise<T> {
    if (this.running++ === 0) this.since = performance.now();
    try {
      return await call();
    } finally {
      if (--this.running === 0) this.total += performance.now() - this.since;
    }
  }

  totalMs(): number {
    return this.total + (this.running > 0 ? performance.now() - this.since : 0);
  }
}
