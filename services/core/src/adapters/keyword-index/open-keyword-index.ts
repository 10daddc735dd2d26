import type { AppConfig } from '../../config/load-config.js';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { KeywordIndex } from '../../ports/keyword-index.js';
import type { SqlDatabase } from '../../ports/sql-database.js';
import { MeilisearchKeywordIndex } from './meilisearch.keyword-index.js';
import { PostgresKeywordIndex } from './postgres.keyword-index.js';

export type KeywordIndexConfig = Pick<
  AppConfig,
  'KEYWORD_ENGINE' | 'MEILI_URL' | 'MEILI_API_KEY' | 'MEILI_INDEX_PREFIX'
>;

/** The configured keyword index: PostgreSQL full-text search in the catalog database, or Meilisearch. */
export function openKeywordIndex(config: KeywordIndexConfig, sql: SqlDatabase, logger?: Logger): KeywordIndex {
  if (config.KEYWORD_ENGINE === 'postgres') return new PostgresKeywordIndex(sql);
  if (!config.MEILI_URL) throw new ConfigError('MEILI_URL: required when KEYWORD_ENGINE=meilisearch');
  return new MeilisearchKeywordIndex({
    url: config.MEILI_URL,
    indexPrefix: config.MEILI_INDEX_PREFIX,
    ...(logger ? { logger } : {}),
    ...(config.MEILI_API_KEY ? { apiKey: config.MEILI_API_KEY } : {}),
  });
}
