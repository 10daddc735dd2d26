import type { AppConfig } from '../../config/load-config.js';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { Embedder } from '../../ports/embedder.js';
import { OnnxEmbedder } from './onnx.embedder.js';
import { OpenAiCompatibleEmbedder } from './openai-compatible.embedder.js';
import { USE_LITE_MODEL_ID, UseLiteEmbedder } from './use-lite.embedder.js';

export type EmbedderConfig = Pick<
  AppConfig,
  | 'EMBEDDING_PROVIDER'
  | 'EMBEDDING_MODEL'
  | 'EMBEDDING_ENDPOINT'
  | 'EMBEDDING_API_KEY'
  | 'EMBEDDING_DIMENSION'
  | 'EMBEDDING_WORKERS'
  | 'EMBEDDING_BATCH_SIZE'
  | 'EMBEDDING_TIMEOUT_MS'
>;

/** Default model of the openai-compatible provider when EMBEDDING_MODEL is unset. */
export const DEFAULT_OPENAI_MODEL = 'text-embedding-3-small';

/**
 * The configured embedder, ready to use: its model is loaded (local, onnx) or its endpoint answered once so the
 * dimension is known (openai-compatible without EMBEDDING_DIMENSION). Callers own it and must `close()` it.
 */
export async function createEmbedder(config: EmbedderConfig, deps: { logger: Logger }): Promise<Embedder> {
  const batchSize = config.EMBEDDING_BATCH_SIZE;
  switch (config.EMBEDDING_PROVIDER) {
    case 'local': {
      if (config.EMBEDDING_MODEL !== undefined && config.EMBEDDING_MODEL !== USE_LITE_MODEL_ID) {
        throw new ConfigError(`EMBEDDING_MODEL: the local provider only has ${USE_LITE_MODEL_ID}`);
      }
      const embedder = new UseLiteEmbedder({
        ...(config.EMBEDDING_WORKERS !== undefined ? { workers: config.EMBEDDING_WORKERS } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
      });
      await embedder.start();
      return embedder;
    }
    case 'openai-compatible': {
      if (!config.EMBEDDING_ENDPOINT) throw new ConfigError('EMBEDDING_ENDPOINT: required for openai-compatible');
      const embedder = new OpenAiCompatibleEmbedder({
        endpoint: config.EMBEDDING_ENDPOINT,
        model: config.EMBEDDING_MODEL ?? DEFAULT_OPENAI_MODEL,
        timeoutMs: config.EMBEDDING_TIMEOUT_MS,
        logger: deps.logger,
        ...(config.EMBEDDING_API_KEY !== undefined ? { apiKey: config.EMBEDDING_API_KEY } : {}),
        ...(config.EMBEDDING_DIMENSION !== undefined ? { dimension: config.EMBEDDING_DIMENSION } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
      });
      await embedder.discoverDimension();
      return embedder;
    }
    case 'onnx': {
      if (!config.EMBEDDING_MODEL) throw new ConfigError('EMBEDDING_MODEL: required for onnx (model directory)');
      return OnnxEmbedder.load({
        modelDirectory: config.EMBEDDING_MODEL,
        ...(batchSize !== undefined ? { batchSize } : {}),
      });
    }
  }
}
