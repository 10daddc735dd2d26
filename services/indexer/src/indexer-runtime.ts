import { join, resolve } from 'node:path';
import { createChunker } from './chunking/chunker.js';
import type { AppConfig } from '../../core/src/config/load-config.js';
import { createGitCheckout } from './discovery/git-checkout.js';
import type { ReadinessCheck } from '../../core/src/http/health-probes.js';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';
import type { Embedder } from '../../core/src/ports/embedder.js';
import type { KeywordIndex } from '../../core/src/ports/keyword-index.js';
import type { SqlDatabase } from '../../core/src/ports/sql-database.js';
import type { VectorIndex } from '../../core/src/ports/vector-index.js';
import { openStores, type Stores } from '../../core/src/stores/open-stores.js';
import { createIndexer, type Indexer, type IndexerOptions } from './worker/indexer.js';
import { createIndexingMetrics } from './pipeline/indexing-metrics.js';
import { createSourceResolver } from './pipeline/resolve-source.js';

export type IndexerConfig = Pick<
  AppConfig,
  | 'KEYWORD_ENGINE'
  | 'MEILI_URL'
  | 'MEILI_API_KEY'
  | 'MEILI_INDEX_PREFIX'
  | 'CHROMA_URL'
  | 'CHROMA_COLLECTION_PREFIX'
  | 'AUTH_ENCRYPTION_KEY'
  | 'MYRAGDB_DATA_DIR'
  | 'INDEXER_WORK_DIR'
  | 'INDEXER_CONCURRENCY'
  | 'INDEXER_SYNC_INTERVAL_SECONDS'
>;

export interface IndexerRuntimeOptions {
  config: IndexerConfig;
  /** The catalog database (also the keyword store when KEYWORD_ENGINE=postgres). */
  sql: SqlDatabase;
  embedder: Embedder;
  logger: Logger;
  /** The hosting service's registry; indexing metrics are added to it. */
  metrics?: ServiceMetrics;
  /** Chroma URL when CHROMA_URL is unset (local mode starts its own Chroma). */
  chromaUrl?: string;
  /** Overrides CHROMA_COLLECTION_PREFIX (tests share one Chroma server). */
  collectionPrefix?: string;
  overrides?: Partial<IndexerOptions>;
  /** Stores opened by the host (`myragdb up` shares one set with its gateway); the host closes them. */
  stores?: Stores;
}

/** An indexer wired to the configured stores, plus the stores themselves for probes and shutdown. */
export interface IndexerRuntime {
  indexer: Indexer;
  catalog: Stores['catalog'];
  queue: Stores['queue'];
  keywordIndex: KeywordIndex;
  vectorIndex: VectorIndex;
  readiness: ReadinessCheck[];
  /** Closes the stores the runtime opened (not `sql`, the embedder nor handed-in stores: the caller owns those). */
  close(): Promise<void>;
}

/**
 * Composition shared by the indexer service and `myragdb up`: the stores (openStores) for `embedder`'s model, git
 * checkouts in the work dir, and the language-aware chunker.
 */
export async function createIndexerRuntime(options: IndexerRuntimeOptions): Promise<IndexerRuntime> {
  const { config, sql, embedder, logger } = options;
  const ownsStores = !options.stores;
  const stores =
    options.stores ??
    (await openStores(config, sql, embedder, options.metrics, {
      requiredBy: 'the indexer',
      ...(options.chromaUrl ? { chromaUrl: options.chromaUrl } : {}),
      ...(options.collectionPrefix ? { collectionPrefix: options.collectionPrefix } : {}),
    }));
  const { catalog, queue, keywordIndex, vectorIndex, vectorIndexFor, queueStats } = stores;
  const workDir = resolve(config.INDEXER_WORK_DIR ?? join(config.MYRAGDB_DATA_DIR, 'git'));
  const checkoutGit = createGitCheckout({ workDir });
  const metrics = options.metrics ? createIndexingMetrics(options.metrics, () => queueStats.queueCounts()) : undefined;

  const indexer = createIndexer(
    {
      catalog,
      queue,
      keywordIndex,
      vectorIndex,
      vectorIndexFor,
      embedder,
      chunker: createChunker(),
      resolveSource: createSourceResolver(checkoutGit),
      logger,
      ...(metrics ? { metrics } : {}),
    },
    {
      concurrency: config.INDEXER_CONCURRENCY,
      syncIntervalSeconds: config.INDEXER_SYNC_INTERVAL_SECONDS,
      ...options.overrides,
    },
  );
  return {
    indexer,
    catalog,
    queue,
    keywordIndex,
    vectorIndex,
    readiness: stores.readiness,
    close: async () => {
      if (ownsStores) await stores.close();
    },
  };
}
