import { createPostgresCatalog } from '../adapters/catalog/postgres.catalog.js';
import { PostgresIndexingQueueStats } from '../adapters/indexing-queue-stats/postgres.indexing-queue-stats.js';
import { PostgresJobQueue } from '../adapters/job-queue/postgres.job-queue.js';
import { openKeywordIndex, type KeywordIndexConfig } from '../adapters/keyword-index/open-keyword-index.js';
import { ChromaVectorIndex } from '../adapters/vector-index/chroma.vector-index.js';
import { loadConfig, type AppConfig } from '../config/load-config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';
import { ConfigError } from '../errors.js';
import type { ReadinessCheck } from '../http/health-probes.js';
import type { Logger } from '../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import type { Catalog } from '../ports/catalog.js';
import type { KeywordIndex } from '../ports/keyword-index.js';
import type { SqlDatabase } from '../ports/sql-database.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { createCredentialCipher } from '../security/credential-cipher.js';
import { instrumentKeywordIndex, instrumentVectorIndex } from '../store-metrics.js';

export type CatalogStoresConfig = Pick<AppConfig, 'AUTH_ENCRYPTION_KEY'>;

/** The stores that live in the catalog database: no network beyond `sql`, nothing to close but `sql`. */
export interface CatalogStores {
  sql: SqlDatabase;
  catalog: Catalog;
  queue: PostgresJobQueue;
  queueStats: PostgresIndexingQueueStats;
}

export function catalogStores(config: CatalogStoresConfig, sql: SqlDatabase): CatalogStores {
  return {
    sql,
    catalog: createPostgresCatalog(
      sql,
      config.AUTH_ENCRYPTION_KEY ? { cipher: createCredentialCipher(config.AUTH_ENCRYPTION_KEY) } : {},
    ),
    queue: new PostgresJobQueue(sql),
    queueStats: new PostgresIndexingQueueStats(sql),
  };
}

export type StoresConfig = CatalogStoresConfig &
  KeywordIndexConfig &
  Pick<AppConfig, 'CHROMA_URL' | 'CHROMA_COLLECTION_PREFIX'>;

export interface IndexModel {
  modelId: string;
  dimension: number;
}

export interface OpenStoresOptions {
  /** Who needs the stores, for the configuration error (e.g. "the indexer"). */
  requiredBy: string;
  /** Chroma URL when CHROMA_URL is unset (local mode starts its own Chroma). */
  chromaUrl?: string;
  /** Overrides CHROMA_COLLECTION_PREFIX (tests share one Chroma server). */
  collectionPrefix?: string;
  /** Logs store retries (the Meilisearch keyword index retries transient failures). */
  logger?: Logger;
}

/** Every store a runtime searches or indexes with, their readiness probes, and one `close()`. */
export interface Stores extends CatalogStores {
  keywordIndex: KeywordIndex;
  /** The vector index of the embedder's model. */
  vectorIndex: VectorIndex;
  /** The vector index of another model (a re-embed writes the new model's collection). */
  vectorIndexFor: (model: IndexModel) => VectorIndex;
  /** postgres, keyword index, vector index; callers decide which of them are required. */
  readiness: ReadinessCheck[];
  /** Closes the keyword and vector indexes (not `sql`: the caller opened it and closes it last). */
  close(): Promise<void>;
}

/**
 * The one store wiring of every runtime (gateway, indexer, `myragdb up`): catalog and job queue on `sql`, the
 * configured keyword index (initialised), Chroma for `model`'s vectors, each measured on `metrics` when given.
 */
export async function openStores(
  config: StoresConfig,
  sql: SqlDatabase,
  model: IndexModel,
  metrics: ServiceMetrics | undefined,
  options: OpenStoresOptions,
): Promise<Stores> {
  const chromaUrl = config.CHROMA_URL ?? options.chromaUrl;
  if (!chromaUrl) throw new ConfigError(`CHROMA_URL: required by ${options.requiredBy} (vectors are in Chroma)`);
  const configuredKeywordIndex = openKeywordIndex(config, sql, options.logger);
  const keywordIndex = metrics ? instrumentKeywordIndex(configuredKeywordIndex, metrics) : configuredKeywordIndex;
  await keywordIndex.init();
  const vectorIndexFor = (indexModel: IndexModel): VectorIndex => {
    const chroma = new ChromaVectorIndex({
      url: chromaUrl,
      modelId: indexModel.modelId,
      dimension: indexModel.dimension,
      collectionPrefix: options.collectionPrefix ?? config.CHROMA_COLLECTION_PREFIX,
    });
    return metrics ? instrumentVectorIndex(chroma, metrics) : chroma;
  };
  return assembleStores({ config, sql, keywordIndex, vectorIndexFor, model });
}

export interface StoreParts {
  config: CatalogStoresConfig;
  sql: SqlDatabase;
  keywordIndex: KeywordIndex;
  vectorIndexFor: (model: IndexModel) => VectorIndex;
  model: IndexModel;
}

/** Stores from already opened indexes (openStores, or a test that needs an index on its own connection). */
export function assembleStores(parts: StoreParts): Stores {
  const { sql, keywordIndex, vectorIndexFor } = parts;
  const vectorIndex = vectorIndexFor(parts.model);
  return {
    ...catalogStores(parts.config, sql),
    keywordIndex,
    vectorIndex,
    vectorIndexFor,
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

/**
 * Loads the configuration, opens and migrates the catalog database for one piece of work (a CLI command, a Kubernetes Job) and always
 * closes it, whatever the work does. Talking to the database rather than to the gateway lets
 * `myragdb reindex --wait` run as a Kubernetes Job with nothing but DATABASE_URL.
 */
export async function withCatalogStores<T>(
  applicationName: string,
  work: (stores: CatalogStores) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const config = loadConfig(env);
  const sql = await openDatabase(config, applicationName);
  try {
    await migrate(sql);
    return await work(catalogStores(config, sql));
  } finally {
    await sql.close();
  }
}
