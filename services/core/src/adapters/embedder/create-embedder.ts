import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../../config/load-config.js';
import { ConfigError, DependencyError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { Embedder } from '../../ports/embedder.js';
import { MINILM_MODEL_NAME, MINILM_WEIGHTS, minilmModel } from './default-model.js';
import { ensureModelFile, type DownloadProgress } from './model-fetch.js';
import { OnnxEmbedder, type OnnxModel } from './onnx.embedder.js';
import { OpenAiCompatibleEmbedder } from './openai-compatible.embedder.js';
import { USE_LITE_MODEL_ID, UseLiteEmbedder } from './use-lite.embedder.js';
import type { WorkerPoolOptions } from './worker-pool.embedder.js';

export type EmbedderConfig = Pick<
  AppConfig,
  | 'EMBEDDING_PROVIDER'
  | 'EMBEDDING_MODEL'
  | 'EMBEDDING_MODEL_CACHE_DIR'
  | 'EMBEDDING_MODEL_INDEX_URL'
  | 'EMBEDDING_ENDPOINT'
  | 'EMBEDDING_API_KEY'
  | 'EMBEDDING_DIMENSION'
  | 'EMBEDDING_WORKERS'
  | 'EMBEDDING_BATCH_SIZE'
  | 'EMBEDDING_TIMEOUT_MS'
>;

export interface EmbedderDependencies {
  logger: Logger;
  /** Shows the one-off model download (`myragdb up` draws a bar on a terminal). */
  progress?: DownloadProgress;
}

/**
 * What the embedder is for. `indexing` embeds in bulk on EMBEDDING_WORKERS background-priority threads;
 * `search` embeds queries on one normal-priority thread, so a search never waits behind indexing.
 */
export type EmbedderRole = 'indexing' | 'search';

/** How long indexing workers stay loaded without work: longer than the pause between two batches of one sync. */
const INDEXING_IDLE_RELEASE_MS = 60_000;

/** Default model of the openai-compatible provider when EMBEDDING_MODEL is unset. */
export const DEFAULT_OPENAI_MODEL = 'text-embedding-3-small';

/** Where the local provider caches fetched model files unless EMBEDDING_MODEL_CACHE_DIR says otherwise. */
export function modelCacheDirectory(config: Pick<AppConfig, 'EMBEDDING_MODEL_CACHE_DIR'>): string {
  return resolve(config.EMBEDDING_MODEL_CACHE_DIR ?? join(homedir(), '.cache', 'myragdb', 'models'));
}

/** A model the local or onnx provider runs in worker threads, once its files are on disk. */
type LocalModel = { kind: 'use-lite' } | { kind: 'onnx'; model: OnnxModel } | { kind: 'onnx-directory'; path: string };

/**
 * Makes embedders of the configured provider, resolving the model once: the local provider's default model is
 * fetched (or found in the cache) here, and when it cannot be had the fallback is announced in one log line, however
 * many embedders are made.
 */
export class EmbedderFactory {
  private constructor(
    private readonly config: EmbedderConfig,
    private readonly logger: Logger,
    private readonly local: LocalModel | undefined,
  ) {}

  static async resolve(config: EmbedderConfig, deps: EmbedderDependencies): Promise<EmbedderFactory> {
    return new EmbedderFactory(config, deps.logger, await resolveLocalModel(config, deps));
  }

  /**
   * The embedder, ready to use: its model is loaded (local, onnx) or its endpoint answered once so the dimension is
   * known (openai-compatible without EMBEDDING_DIMENSION). Callers own it and must `close()` it.
   */
  async create(role: EmbedderRole): Promise<Embedder> {
    const { config } = this;
    const batchSize = config.EMBEDDING_BATCH_SIZE;
    const workers = role === 'search' ? 1 : config.EMBEDDING_WORKERS;
    const pool: WorkerPoolOptions = {
      priority: role === 'search' ? 'interactive' : 'background',
      // Bulk indexing comes in bursts: its model copies are freed in between (a search's stays warm).
      ...(role === 'indexing' ? { idleReleaseMs: INDEXING_IDLE_RELEASE_MS } : {}),
      ...(workers !== undefined ? { workers } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
    };
    switch (this.local?.kind) {
      case 'use-lite': {
        const embedder = new UseLiteEmbedder(pool);
        await embedder.start();
        return embedder;
      }
      case 'onnx':
        return OnnxEmbedder.start(this.local.model, pool);
      case 'onnx-directory':
        return OnnxEmbedder.load({ modelDirectory: this.local.path, ...pool });
      case undefined:
        return this.createOpenAiCompatible();
    }
  }

  private async createOpenAiCompatible(): Promise<Embedder> {
    const { config } = this;
    if (!config.EMBEDDING_ENDPOINT) throw new ConfigError('EMBEDDING_ENDPOINT: required for openai-compatible');
    const embedder = new OpenAiCompatibleEmbedder({
      endpoint: config.EMBEDDING_ENDPOINT,
      model: config.EMBEDDING_MODEL ?? DEFAULT_OPENAI_MODEL,
      timeoutMs: config.EMBEDDING_TIMEOUT_MS,
      logger: this.logger,
      ...(config.EMBEDDING_API_KEY !== undefined ? { apiKey: config.EMBEDDING_API_KEY } : {}),
      ...(config.EMBEDDING_DIMENSION !== undefined ? { dimension: config.EMBEDDING_DIMENSION } : {}),
      ...(config.EMBEDDING_BATCH_SIZE !== undefined ? { batchSize: config.EMBEDDING_BATCH_SIZE } : {}),
    });
    await embedder.discoverDimension();
    return embedder;
  }
}

/** One embedder of the configured provider for `role` (default `indexing`). */
export async function createEmbedder(
  config: EmbedderConfig,
  deps: EmbedderDependencies,
  role: EmbedderRole = 'indexing',
): Promise<Embedder> {
  return (await EmbedderFactory.resolve(config, deps)).create(role);
}

/**
 * The local provider's default model weights on disk: from EMBEDDING_MODEL_CACHE_DIR, or fetched there once.
 * `myragdb model fetch` and the container image build call this ahead of time.
 */
export function fetchDefaultModel(
  config: Pick<EmbedderConfig, 'EMBEDDING_MODEL_CACHE_DIR' | 'EMBEDDING_MODEL_INDEX_URL'>,
  deps: EmbedderDependencies,
): Promise<string> {
  return ensureModelFile(MINILM_WEIGHTS, {
    cacheDirectory: modelCacheDirectory(config),
    indexUrl: config.EMBEDDING_MODEL_INDEX_URL,
    logger: deps.logger,
    ...(deps.progress ? { progress: deps.progress } : {}),
  });
}

async function resolveLocalModel(config: EmbedderConfig, deps: EmbedderDependencies): Promise<LocalModel | undefined> {
  switch (config.EMBEDDING_PROVIDER) {
    case 'openai-compatible':
      return undefined;
    case 'onnx':
      if (!config.EMBEDDING_MODEL) throw new ConfigError('EMBEDDING_MODEL: required for onnx (model directory)');
      return { kind: 'onnx-directory', path: config.EMBEDDING_MODEL };
    case 'local': {
      const name = config.EMBEDDING_MODEL ?? MINILM_MODEL_NAME;
      if (name === USE_LITE_MODEL_ID) return { kind: 'use-lite' };
      if (name !== MINILM_MODEL_NAME) {
        throw new ConfigError(
          `EMBEDDING_MODEL: the local provider has ${MINILM_MODEL_NAME} and ${USE_LITE_MODEL_ID}, not ${name}`,
        );
      }
      try {
        return { kind: 'onnx', model: minilmModel(await fetchDefaultModel(config, deps)) };
      } catch (error) {
        if (!(error instanceof DependencyError)) throw error;
        deps.logger.warn(
          `embedding model ${MINILM_MODEL_NAME} is not cached and cannot be downloaded (${error.message}); using the ` +
            `bundled ${USE_LITE_MODEL_ID} instead, which finds less. Restart with network access to switch (the index ` +
            `is then re-embedded), or set EMBEDDING_MODEL=${USE_LITE_MODEL_ID} to choose it.`,
        );
        return { kind: 'use-lite' };
      }
    }
  }
}
