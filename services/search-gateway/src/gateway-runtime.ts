import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Express } from 'express';
import type { AppConfig } from '../../core/src/config/load-config.js';
import type { ReadinessCheck } from '../../core/src/http/health-probes.js';
import type { Logger } from '../../core/src/logging.js';
import type { ServiceMetrics } from '../../core/src/metrics.js';
import type { Embedder } from '../../core/src/ports/embedder.js';
import type { SqlDatabase } from '../../core/src/ports/sql-database.js';
import { createCircuitBreaker } from '../../core/src/resilience/circuit-breaker.js';
import { openStores, type Stores } from '../../core/src/stores/open-stores.js';
import { connectRedis } from '../../core/src/adapters/redis/redis-connection.js';
import { redisRateLimitStores } from '../../core/src/adapters/redis/redis-rate-limit-store.js';
import { RedisResponseCache } from '../../core/src/adapters/response-cache/redis.response-cache.js';
import { createSecretFilePolicy } from '../../core/src/domain/secret-files.js';
import { createApp } from './app.js';
import { SearchActivity } from './activity/search-activity.js';
import { WebSessionService } from './auth/web-session.service.js';
import { loadWebUiAssets } from './web-ui/web-ui-assets.js';
import { createApiKeyService, type ApiKeyService } from './api/api-keys.js';
import { DEFAULT_FILE_READ_LIMITS } from './files/confined-file.reader.js';
import { FileService } from './services/file.service.js';
import { RepositoryService } from './services/repository.service.js';
import { createSearchTelemetry } from './services/search-telemetry.js';
import {
  DEFAULT_FILE_WEIGHT,
  DEFAULT_IDENTIFIER_WEIGHTS,
  SearchService,
  type CachedSearchResponse,
  type SearchSettings,
} from './services/search.service.js';

export interface GatewayRuntimeOptions {
  config: AppConfig;
  /** The catalog database, migrated (also the keyword store when KEYWORD_ENGINE=postgres). */
  sql: SqlDatabase;
  embedder: Embedder;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Chroma URL when CHROMA_URL is unset (local mode starts its own Chroma). */
  chromaUrl?: string;
  /** Overrides CHROMA_COLLECTION_PREFIX (tests share one Chroma server). */
  collectionPrefix?: string;
  /** Stores opened by the host (`myragdb up` shares one set with its indexer); the host closes them. */
  stores?: Stores;
  /** Readiness checks of components the host runs beside the gateway (`myragdb up`'s Chroma child). */
  extraReadiness?: readonly ReadinessCheck[];
  /** The health service's URL when HEALTH_SERVICE_URL is unset (`myragdb up` serves it on port + 1). */
  healthServiceUrl?: string;
}

/** The composed gateway: its app, the services (for MCP over stdio and tests), probes, and what to close. */
export interface GatewayRuntime {
  app: Express;
  search: SearchService;
  files: FileService;
  repositories: RepositoryService;
  apiKeys: ApiKeyService;
  /** Web UI sign-ins (`myragdb up` prints a one-time link). */
  webSessions: WebSessionService;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

/** A sign-in link is for clicking now, not for keeping. */
const SIGN_IN_LINK_TTL_MS = 15 * 60_000;
/** Activity counts reach the table (and the charts) this often. */
const ACTIVITY_FLUSH_INTERVAL_MS = 15_000;

export function searchSettings(config: AppConfig): SearchSettings {
  return {
    fusion: {
      k: config.SEARCH_RRF_K,
      weights: { keyword: config.SEARCH_KEYWORD_WEIGHT, semantic: config.SEARCH_SEMANTIC_WEIGHT },
      identifierWeights: DEFAULT_IDENTIFIER_WEIGHTS,
      fileWeight: DEFAULT_FILE_WEIGHT,
    },
    candidateDepth: config.SEARCH_CANDIDATE_DEPTH,
    pathFilterOverfetch: 4,
    legTimeoutMs: config.SEARCH_LEG_TIMEOUT_MS,
    embedTimeoutMs: config.SEARCH_EMBED_TIMEOUT_MS,
    cache: { maxEntries: config.SEARCH_CACHE_MAX_ENTRIES, ttlMs: config.SEARCH_CACHE_TTL_SECONDS * 1000 },
  };
}

/**
 * Composition shared by the gateway's main.ts, `myragdb up` and the integration tests: the stores (openStores) and
 * API keys on `sql`, then the services and the app.
 * Syncs the bootstrap admin key from MYRAGDB_API_KEY.
 */
export async function createGatewayRuntime(options: GatewayRuntimeOptions): Promise<GatewayRuntime> {
  const { config, sql, embedder, logger, metrics } = options;
  const ownsStores = !options.stores;
  const stores =
    options.stores ??
    (await openStores(config, sql, embedder, metrics, {
      requiredBy: 'the search gateway',
      logger,
      ...(options.chromaUrl ? { chromaUrl: options.chromaUrl } : {}),
      ...(options.collectionPrefix ? { collectionPrefix: options.collectionPrefix } : {}),
    }));
  const { catalog, queue: jobs, keywordIndex, vectorIndex } = stores;

  const apiKeys = createApiKeyService(sql);
  await apiKeys.syncBootstrapKey(config.MYRAGDB_API_KEY);

  // Rate limits and the search cache shared by every replica; per process without REDIS_URL.
  const redis = config.REDIS_URL
    ? await connectRedis({
        url: config.REDIS_URL,
        logger,
        ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
      })
    : undefined;

  const gitWorkDir = resolve(config.INDEXER_WORK_DIR ?? join(config.MYRAGDB_DATA_DIR, 'git'));
  const secretFiles = createSecretFilePolicy(config.MYRAGDB_SECRET_FILE_PATTERNS);
  const search = new SearchService({
    catalog,
    breakers: {
      keyword: createCircuitBreaker({ name: `keyword-index:${keywordIndex.name}`, logger }),
      semantic: createCircuitBreaker({ name: `vector-index:${vectorIndex.name}`, logger }),
    },
    keywordIndex,
    vectorIndex,
    embedder,
    telemetry: createSearchTelemetry(metrics, logger),
    settings: searchSettings(config),
    ...(redis
      ? {
          cache: new RedisResponseCache<CachedSearchResponse>({
            redis,
            keyPrefix: `${config.REDIS_KEY_PREFIX}search:`,
            ttlMs: config.SEARCH_CACHE_TTL_SECONDS * 1000,
          }),
        }
      : {}),
    secretFiles,
  });
  const files = new FileService({
    catalog,
    // The indexer checks git sources out in <work dir>/<name> (see createGitCheckout); the gateway reads them there.
    checkoutRoot: (repository) =>
      repository.source.type === 'local' ? repository.source.path : join(gitWorkDir, repository.name),
    limits: DEFAULT_FILE_READ_LIMITS,
    secretFiles,
  });
  const repositories = new RepositoryService({
    catalog,
    jobs,
    keywordIndex,
    vectorIndex,
    allowedRoots: config.MYRAGDB_ALLOWED_ROOTS,
  });
  // Either search leg alone still answers (degraded), so neither search store takes the gateway out of rotation.
  const readiness: ReadinessCheck[] = [
    ...stores.readiness.map((check) => (check.name === 'postgres' ? check : { ...check, required: false })),
    ...(options.extraReadiness ?? []),
  ];
  const webSessions = new WebSessionService(sql, apiKeys, {
    ttlMs: config.WEB_SESSION_TTL_HOURS * 3_600_000,
    signInLinkTtlMs: SIGN_IN_LINK_TTL_MS,
  });
  if (!config.SECRET_KEY) {
    logger.warn('SECRET_KEY is not set: web UI sessions are signed with a random key and end when this process does');
  }
  const activity = new SearchActivity(sql, logger, {
    retentionDays: config.SEARCH_ACTIVITY_RETENTION_DAYS,
    flushIntervalMs: ACTIVITY_FLUSH_INTERVAL_MS,
  });
  activity.start();
  const app = createApp({
    config,
    logger,
    metrics,
    search,
    files,
    repositories,
    apiKeys,
    activity,
    web: {
      sessions: webSessions,
      cookieSecret: config.SECRET_KEY ?? randomBytes(32).toString('base64url'),
      assets: await loadWebUiAssets(logger),
    },
    auth: {
      perKeyPerMinute: config.RATE_LIMIT_API_KEY_REQUESTS_PER_MINUTE,
      failedAttemptsPer15Minutes: config.AUTH_FAILED_ATTEMPTS_PER_15_MINUTES,
      exemptLoopback: config.RATE_LIMIT_LOOPBACK_EXEMPT,
      ...(redis ? { store: redisRateLimitStores(redis, config.REDIS_KEY_PREFIX) } : {}),
    },
    mcp: { maxBatchSize: config.MCP_MAX_BATCH_SIZE },
    readiness,
    healthServiceUrl: config.HEALTH_SERVICE_URL ?? options.healthServiceUrl,
  });
  return {
    app,
    search,
    files,
    repositories,
    apiKeys,
    webSessions,
    readiness,
    close: async () => {
      await activity.close();
      await redis?.close();
      if (ownsStores) await stores.close();
    },
  };
}
