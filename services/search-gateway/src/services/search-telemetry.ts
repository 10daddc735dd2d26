import type { Logger } from '../../../core/src/logging.js';
import { Metrics } from '../../../core/src/metric-names.js';
import type { ServiceMetrics } from '../../../core/src/metrics.js';
import type { SearchTelemetry } from './search.service.js';

/** Search telemetry onto the catalog's Prometheus metrics and the log (a failing leg is a warning, not an error). */
export function createSearchTelemetry(metrics: ServiceMetrics, logger: Logger): SearchTelemetry {
  const searches = metrics.histogram(Metrics.searchDuration);
  const legs = metrics.histogram(Metrics.searchLegDuration);
  const cache = metrics.counter(Metrics.searchCacheRequests);
  return {
    searchCompleted: (mode, seconds) => searches.observe({ mode }, seconds),
    legCompleted: (leg, seconds) => legs.observe({ leg }, seconds),
    cacheLookup: (hit) => cache.inc({ cache: 'search', result: hit ? 'hit' : 'miss' }),
    legFailed: (leg, error) =>
      logger.warn('search leg unavailable; answering from the other leg', {
        leg,
        error: error instanceof Error ? error.message : String(error),
      }),
  };
}
