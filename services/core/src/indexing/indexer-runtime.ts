import { join, resolve } from 'node:path';
import { PostgresCatalog } from '../adapters/catalog/postgres.catalog.js';
import { PostgresJobQueue } from '../adapters/job-queue/postgres.job-queue.js';
import { openKeywordIndex } from '../adapters/keyword-index/open-keyword-index.js';
import { ChromaVectorIndex } from '../adapters/vector-index/chroma.vector-index.js';
import { createChunker } from '../chunking/chunker.js';
import type { AppConfig } from '../config/load-config.js';
import { createGitCheckout } from '../discovery/git-checkout.js';
import { createSecretFilePolicy } from '../discovery/secret-files.js';
import { ConfigError } from '../errors.js';
import type { ReadinessCheck } from '../http/health-probes.js';
import type { Logger } from '../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import type { Embedder } from '../ports/embedder.js';
import type { KeywordIndex } from '../ports/keyword-index.js';
import type { SqlDatabase } from '../ports/sql-database.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { createCredentialCipher } from '../security/credential-cipher.js';
import { createIndexer, type Indexer, type IndexerOptions } from './indexer.js';
import { instrumentKeywordIndex, instrumentVectorIndex } from '../store-metrics.js';
import { createIndexingMetrics } from './indexing-metrics.js';
import { createSourceResolver } from './resolve-source.js';

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
  | 'MYRAGDB_SECRET_FILE_PATTERNS'
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
}

/** An indexer wired to the configured stores, plus the stores themselves for probes and shutdown. */
export interface IndexerRuntime {
  indexer: Indexer;
  catalog: PostgresCatalog;
  queue: PostgresJobQueue;
  keywordIndex: KeywordIndex;
  vectorIndex: VectorIndex;
  readiness: ReadinessCheck[];
  /** Closes the stores the runtime opened (not `sql` nor the embedder: the caller owns those). */
  close(): Promise<void>;
}

/**
 * Composition shared by the indexer service, `myragdb up` and `myragdb reindex --in-process`: the catalog and job
 * queue on `sql`, the configured keyword index, Chroma for vectors of `embedder`'s model, git checkouts in the
 * work dir, and the language-aware chunker.
 */
export async function createIndexerRuntime(options: IndexerRuntimeOptions): Promise<IndexerRuntime> {
  const { config, sql, embedder, logger } = options;
  const chromaUrl = config.CHROMA_URL ?? options.chromaUrl;
  if (!chromaUrl) throw new ConfigError('CHROMA_URL: required by the indexer (vectors are stored in Chroma)');
  const catalog = new PostgresCatalog(
    sql,
    config.AUTH_ENCRYPTION_KEY ? { cipher: createCredentialCipher(config.AUTH_ENCRYPTION_KEY) } : {},
  );
  const queue = new PostgresJobQueue(sql);
  const storeMetrics = options.metrics;
  const configuredKeywordIndex = openKeywordIndex(config, sql);
  const keywordIndex = storeMetrics
    ? instrumentKeywordIndex(configuredKeywordIndex, storeMetrics)
    : configuredKeywordIndex;
  await keywordIndex.init();
  const vectorIndexFor = (model: { modelId: string; dimension: number }): VectorIndex => {
    const chroma = new ChromaVectorIndex({
      url: chromaUrl,
      modelId: model.modelId,
      dimension: model.dimension,
      collectionPrefix: options.collectionPrefix ?? config.CHROMA_COLLECTION_PREFIX,
    });
    return storeMetrics ? instrumentVectorIndex(chroma, storeMetrics) : chroma;
  };
  const vectorIndex = vectorIndexFor(embedder);
  const workDir = resolve(config.INDEXER_WORK_DIR ?? join(config.MYRAGDB_DATA_DIR, 'git'));
  const checkoutGit = createGitCheckout({ workDir });
  const metrics = options.metrics
    ? createIndexingMetrics(options.metrics, async () => {
        const { rows } = await sql.query<{ state: string; count: number }>(
          "SELECT state, count(*)::int AS count FROM jobs WHERE state IN ('queued', 'running') GROUP BY state",
        );
        return { queued: 0, running: 0, ...Object.fromEntries(rows.map((row) => [row.state, row.count])) };
      })
    : undefined;

  const indexer = createIndexer(
    {
      catalog,
      queue,
      keywordIndex,
      vectorIndex,
      vectorIndexFor,
      embedder,
      chunker: createChunker(),
      secretFiles: createSecretFilePolicy(config.MYRAGDB_SECRET_FILE_PATTERNS),
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
    readiness: [
      { name: 'postgres', check: () => sql.query('SELECT 1') },
      { name: `keyword-index:${keywordIndex.name}`, check: () => keywordIndex.ping() },
      { name: `vector-index:${vectorIndex.name}`, check: () => vectorIndex.ping() },
    ],
    close: async () => {
      await vectorIndex.close();
      await keywordIndex.close();
    },
  };
}
