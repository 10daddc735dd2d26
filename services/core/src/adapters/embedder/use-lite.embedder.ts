import { WorkerPoolEmbedder, type WorkerPoolOptions } from './worker-pool.embedder.js';

export const USE_LITE_MODEL_ID = 'use-lite-512';

/**
 * Universal Sentence Encoder lite (512 dimensions) from the `@energetic-ai` npm packages: fully offline, in a pool
 * of worker threads (~150 MB each). The fallback when the default model cannot be had.
 */
export class UseLiteEmbedder extends WorkerPoolEmbedder {
  readonly modelId = USE_LITE_MODEL_ID;

  constructor(options: WorkerPoolOptions = {}) {
    const workerModule = new URL('./use-lite.worker.js', import.meta.url);
    super({ label: 'USE-lite', workerModule, workerData: {}, dimension: 512 }, options);
  }
}
