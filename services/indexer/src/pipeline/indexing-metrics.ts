import type { Embedder } from '../../../core/src/ports/embedder.js';
import { Metrics } from '../../../core/src/metric-names.js';
import type { ServiceMetrics } from '../../../core/src/metrics.js';
import type { IndexingQueueCounts } from '../../../core/src/ports/indexing-queue-stats.js';

/**
 * The indexer's Prometheus metrics, registered on the hosting service's registry (the indexer service, or the one
 * process of `myragdb up`). Rates (files/s, chunks/s, embeddings/s) are `rate()` over these counters.
 */
export interface IndexingMetrics {
  recordSync(repository: string, counts: { files: number; chunks: number; embeddings: number }): void;
  recordJob(repository: string, outcome: 'succeeded' | 'failed', durationMs: number): void;
  /** Wraps an embedder so every `embed()` call lands in the latency histogram. */
  timeEmbedder(embedder: Embedder): Embedder;
}

export function createIndexingMetrics(
  metrics: ServiceMetrics,
  queueDepth: () => Promise<IndexingQueueCounts>,
): IndexingMetrics {
  const files = metrics.counter(Metrics.indexedFiles);
  const chunks = metrics.counter(Metrics.indexedChunks);
  const embeddings = metrics.counter(Metrics.indexedEmbeddings);
  const jobDuration = metrics.histogram(Metrics.indexingJobDuration);
  const jobFailures = metrics.counter(Metrics.indexingJobFailures);
  const embedderDuration = metrics.histogram(Metrics.embedderDuration);
  const depth = metrics.gauge(Metrics.indexingQueueDepth);
  // Queue depth is read from the database when Prometheus scrapes, so every replica reports the shared queue.
  Object.assign(depth, {
    async collect(this: typeof depth) {
      this.reset();
      const { queued, running } = await queueDepth();
      this.set({ state: 'queued' }, queued);
      this.set({ state: 'running' }, running);
    },
  });
  return {
    recordSync(repository, counts) {
      files.inc({ repository }, counts.files);
      chunks.inc({ repository }, counts.chunks);
      embeddings.inc({ repository }, counts.embeddings);
    },
    recordJob(repository, outcome, durationMs) {
      jobDuration.observe({ outcome }, durationMs / 1000);
      if (outcome === 'failed') jobFailures.inc({ repository });
    },
    timeEmbedder(embedder) {
      return {
        get modelId() {
          return embedder.modelId;
        },
        get dimension() {
          return embedder.dimension;
        },
        async embed(texts) {
          const stop = embedderDuration.startTimer({ model: embedder.modelId });
          try {
            return await embedder.embed(texts);
          } finally {
            stop();
          }
        },
        close: () => embedder.close(),
      };
    },
  };
}
