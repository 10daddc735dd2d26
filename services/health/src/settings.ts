import type { AppConfig } from '../../core/src/config/load-config.js';
import { keywordIndexUid } from '../../core/src/adapters/keyword-index/meilisearch.keyword-index.js';
import type { HealthSettings } from './compose.js';

/** The health monitor's settings from the parsed config. */
export function healthSettingsFromConfig(config: AppConfig): HealthSettings {
  return {
    checkTimeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    backlogWindowMs: config.HEALTH_BACKLOG_WINDOW_MS,
    stuckJobAfterMs: config.HEALTH_STUCK_JOB_AFTER_MS,
    dataDir: config.MYRAGDB_DATA_DIR,
    chromaUrl: config.CHROMA_URL,
    meilisearch:
      config.KEYWORD_ENGINE === 'meilisearch' && config.MEILI_URL
        ? { url: config.MEILI_URL, apiKey: config.MEILI_API_KEY, indexUid: keywordIndexUid(config.MEILI_INDEX_PREFIX) }
        : undefined,
    thresholds: {
      apiLatencyMs: config.ALERT_API_LATENCY_MS,
      searchLatencyMs: config.ALERT_SEARCH_LATENCY_MS,
      errorRatePercent: config.ALERT_ERROR_RATE_PERCENT,
      errorRateMinRequests: config.ALERT_ERROR_RATE_MIN_REQUESTS,
      cpuPercent: config.ALERT_CPU_PERCENT,
      memoryPercent: config.ALERT_MEMORY_PERCENT,
      diskPercent: config.ALERT_DISK_PERCENT,
      forMs: config.ALERT_FOR_MS,
      criticalForMs: config.ALERT_CRITICAL_FOR_MS,
      keepFiringForMs: config.ALERT_KEEP_FIRING_FOR_MS,
    },
  };
}
