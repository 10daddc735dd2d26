import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { EmbedderFactory } from '../../../core/src/adapters/embedder/create-embedder.js';
import { terminalDownloadProgress } from '../../../core/src/adapters/embedder/terminal-download-progress.js';
import { type AppConfig, loadConfig } from '../../../core/src/config/load-config.js';
import { migrate } from '../../../core/src/db/migrate.js';
import type { DataDirLock } from '../../../core/src/db/data-dir-lock.js';
import { openDatabase } from '../../../core/src/db/open-database.js';
import { type RunningServer, startServer } from '../../../core/src/http/server.js';
import { createIndexerRuntime, type IndexerRuntime } from '../../../indexer/src/indexer-runtime.js';
import { createLoggerFromConfig, type Logger } from '../../../core/src/logging.js';
import { createMetrics } from '../../../core/src/metrics.js';
import type { SqlDatabase } from '../../../core/src/ports/sql-database.js';
import { openStores } from '../../../core/src/stores/open-stores.js';
import { FolderWatcher } from './folder-watcher.js';
import type { RepositoryStatus } from '../../../search-gateway/src/api/repository.schemas.js';
import { randomBytes } from 'node:crypto';
import { ADMIN_KEY_FILE, BOOTSTRAP_KEY_ID, generateApiKey } from '../../../search-gateway/src/api/api-keys.js';
import { SIGN_IN_LINK_PATH } from '../../../search-gateway/src/api/paths.js';
import { createCoHostedHealth } from '../../../health/src/health-runtime.js';
import { createGatewayRuntime, type GatewayRuntime } from '../../../search-gateway/src/gateway-runtime.js';
import { chromaChildReadiness, type SupervisedChroma, superviseChromaChild } from './chroma-supervisor.js';

export interface LocalModeOptions {
  /** Folders to register (if new) and sync. */
  paths: readonly string[];
  port: number;
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

export interface LocalMode {
  config: AppConfig;
  url: string;
  healthUrl: string;
  /** The admin key, and where it came from. */
  adminKey: { key: string; source: 'MYRAGDB_API_KEY' | 'created' | 'file'; file?: string };
  /** A new one-time web UI sign-in link for the admin key (valid 15 minutes). */
  signInLink(): Promise<string>;
  /** Registered repository names for `paths`, in order. */
  repositories: string[];
  status(): Promise<RepositoryStatus[]>;
  /** Calls `listener` when an indexing job is queued or ends (see JobQueue.watch); resolves to the unwatch. */
  watchJobs(listener: () => void): Promise<() => Promise<void>>;
  logger: Logger;
  shutdown(): Promise<void>;
}

/** A repository name from a folder name: the catalog's alphabet, lower-case. */
export function repositoryNameFor(folder: string): string {
  const name = basename(resolve(folder))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  return name || 'repository';
}

/**
 * The admin key of a local install: MYRAGDB_API_KEY when set; otherwise the key kept in `<data dir>/admin.key`
 * (mode 0600), created on first start so a restart keeps working with the same key.
 */
async function localAdminKey(env: NodeJS.ProcessEnv, dataDir: string): Promise<LocalMode['adminKey']> {
  if (env.MYRAGDB_API_KEY) return { key: env.MYRAGDB_API_KEY, source: 'MYRAGDB_API_KEY' };
  const file = join(dataDir, ADMIN_KEY_FILE);
  const { value, created } = await readOrCreateSecretFile(file, () => generateApiKey().key);
  return { key: value, source: created ? 'created' : 'file', file };
}

/** A secret kept in a mode-0600 file of the data dir, created on first use. */
async function readOrCreateSecretFile(
  file: string,
  generate: () => string,
): Promise<{ value: string; created: boolean }> {
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return { value: existing, created: false };
  const value = generate();
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return { value, created: true };
}

/** SECRET_KEY, or one kept in `<data dir>/session.secret`, so web UI sign-ins survive a restart of `up`. */
async function localSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Promise<string> {
  if (env.SECRET_KEY) return env.SECRET_KEY;
  const generate = () => randomBytes(32).toString('base64url');
  return (await readOrCreateSecretFile(join(dataDir, 'session.secret'), generate)).value;
}

/**
 * `myragdb up` without the terminal: embedded PGlite (or DATABASE_URL) in the data dir, a Chroma child process
 * (unless CHROMA_URL), the configured embedder (indexing and search each on their own threads), the gateway on `port`
 * and the health service on `port + 1`, all in this process. Given folders are registered once and synced on
 * every start, so a restart reuses the index and only catches up on changes.
 */
export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const folders = options.paths.map((path) => resolve(path));
  const adminKey = await localAdminKey(options.env, dataDir);
  const secretKey = await localSecretKey(options.env, dataDir);
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    ...options.env,
    MYRAGDB_DATA_DIR: dataDir,
    PORT: String(options.port),
    HOST: options.env.HOST ?? '127.0.0.1',
    // One user and their agents on this machine: shared-server request limits would only get in their way.
    RATE_LIMIT_LOOPBACK_EXEMPT: options.env.RATE_LIMIT_LOOPBACK_EXEMPT ?? 'true',
    MYRAGDB_API_KEY: adminKey.key,
    SECRET_KEY: secretKey,
    // API clients may register folders under the ones given here unless the user chose the roots.
    MYRAGDB_ALLOWED_ROOTS: options.env.MYRAGDB_ALLOWED_ROOTS || folders.join(','),
  });
  const logger = createLoggerFromConfig(config, 'myragdb');
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error: unknown) => logger.error('shutdown step failed', { error }));
    }
  };

  try {
    let chroma: SupervisedChroma | undefined;
    if (!config.CHROMA_URL) {
      chroma = await superviseChromaChild({ dataDir: join(dataDir, 'chroma'), logger });
      closers.push(() => chroma!.stop());
    }
    let dataDirLock: DataDirLock | undefined;
    const sql: SqlDatabase = await openDatabase(config, 'myragdb-up', {
      onDataDirLock: (lock) => (dataDirLock = lock),
    });
    closers.push(() => sql.close());
    await migrate(sql);
    // The configured provider (EMBEDDING_PROVIDER, EMBEDDING_MODEL), resolved once: indexing embeds on background
    // threads, searches on a thread of their own, so a search never waits behind a large indexing batch.
    const progress = terminalDownloadProgress('embedding model');
    const embedders = await EmbedderFactory.resolve(config, { logger, ...(progress ? { progress } : {}) });
    const indexingEmbedder = await embedders.create('indexing');
    closers.push(() => indexingEmbedder.close());
    const searchEmbedder = await embedders.create('search');
    closers.push(() => searchEmbedder.close());

    const gatewayMetrics = createMetrics('search-gateway');
    // One set of stores for the co-hosted indexer and gateway, so this process does not hold two of each.
    const stores = await openStores(config, sql, indexingEmbedder, gatewayMetrics, {
      requiredBy: 'myragdb up',
      logger,
      ...(chroma ? { chromaUrl: chroma.url } : {}),
    });
    closers.push(() => stores.close());
    const indexer: IndexerRuntime = await createIndexerRuntime({
      config,
      sql,
      embedder: indexingEmbedder,
      logger,
      metrics: gatewayMetrics,
      stores,
    });
    const gateway: GatewayRuntime = await createGatewayRuntime({
      config,
      sql,
      embedder: searchEmbedder,
      logger,
      metrics: gatewayMetrics,
      stores,
      // The Chroma child is part of this deployment: while it is down (and being restarted) `up` is not ready.
      ...(chroma ? { extraReadiness: [chromaChildReadiness(chroma)] } : {}),
      // The health service listens on the next port (started below); until it answers the gateway reports itself.
      ...(config.PORT > 0 ? { healthServiceUrl: `http://127.0.0.1:${config.PORT + 1}` } : {}),
    });
    closers.push(() => gateway.close());

    const repositories: string[] = [];
    const known = new Map((await stores.catalog.listRepositories()).map((repository) => [repository.name, repository]));
    for (const folder of folders) {
      const reuse = [...known.values()].find(
        (repository) => repository.source.type === 'local' && repository.source.path === folder,
      );
      if (reuse) {
        await gateway.repositories.reindex([reuse.name], false);
        repositories.push(reuse.name);
        continue;
      }
      let name = repositoryNameFor(folder);
      for (let suffix = 2; known.has(name) || repositories.includes(name); suffix++)
        name = `${repositoryNameFor(folder).slice(0, 59)}-${suffix}`;
      await gateway.repositories.create({ name, source: { type: 'local', path: folder } });
      repositories.push(name);
    }

    const stopWorker = new AbortController();
    const worker = indexer.indexer.runWorker(stopWorker.signal);
    closers.push(async () => {
      stopWorker.abort();
      await worker;
    });

    if (config.MYRAGDB_WATCH) {
      const watcher = new FolderWatcher({
        requestSync: (repository) => gateway.repositories.reindex([repository], false),
        logger,
        ignore: [dataDir],
      });
      closers.push(() => watcher.close());
      // Every local repository, including ones added over the API later: a new one is announced by its first job.
      const watchLocalRepositories = async () =>
        watcher.watch(
          (await stores.catalog.listRepositories()).flatMap((repository) =>
            repository.source.type === 'local' ? [{ repository: repository.name, path: repository.source.path }] : [],
          ),
        );
      await watchLocalRepositories();
      const unwatchJobs = await stores.queue.watch(() => {
        void watchLocalRepositories().catch((error: unknown) => logger.warn('folder watch refresh failed', { error }));
      });
      closers.push(unwatchJobs);
    }

    const servers: RunningServer[] = [];
    const gatewayServer = await startServer({
      app: gateway.app,
      port: config.PORT,
      host: config.HOST,
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      signals: [],
    });
    servers.push(gatewayServer);
    // CLI commands on this data dir (e.g. `myragdb apikey revoke`) go through this gateway, not a second database.
    await dataDirLock?.advertise({ gatewayUrl: gatewayServer.url });
    const health = createCoHostedHealth({
      config,
      logger,
      sql,
      queueStats: stores.queueStats,
      ...(chroma ? { chromaUrl: chroma.url } : {}),
      gateway: { url: gatewayServer.url, metrics: gatewayMetrics },
    });
    health.monitor.start(config.HEALTH_CHECK_INTERVAL_MS);
    closers.push(() => health.monitor.stop());
    const healthServer = await startServer({
      app: health.app,
      port: config.PORT === 0 ? 0 : config.PORT + 1,
      host: config.HOST,
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      signals: [],
    });
    servers.push(healthServer);
    // Servers stop first (last registered, first closed): no request may reach a closed store.
    closers.push(() => Promise.all(servers.map((server) => server.shutdown('local mode stopping'))));

    let stopping: Promise<void> | undefined;
    return {
      config,
      url: gatewayServer.url,
      healthUrl: `${healthServer.url}/api/v1/health`,
      adminKey,
      signInLink: async () =>
        `${gatewayServer.url}${SIGN_IN_LINK_PATH}?token=${await gateway.webSessions.createSignInLink(BOOTSTRAP_KEY_ID, new Date())}`,
      repositories,
      status: () => gateway.repositories.list(),
      watchJobs: (listener) => stores.queue.watch(listener),
      logger,
      shutdown: () => (stopping ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
