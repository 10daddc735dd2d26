/** The real default embedder, built the way the services build it (EMBEDDING_PROVIDER=local: USE-lite, offline). */
import { createEmbedder } from '../../../services/core/src/adapters/embedder/create-embedder.js';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import type { Embedder } from '../../../services/core/src/ports/embedder.js';
import { quietLogger } from './indexer-fixture.js';

export function defaultTestEmbedder(): Promise<Embedder> {
  // One worker thread: tests share two cores with the stores.
  return createEmbedder(loadConfig({ EMBEDDING_WORKERS: '1' }), { logger: quietLogger });
}
