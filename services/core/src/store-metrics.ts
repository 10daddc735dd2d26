/**
 * Store latency and error metrics (myragdb_store_operation_duration_seconds, myragdb_store_errors_total) for any
 * KeywordIndex or VectorIndex, wrapped where a service composes its stores, so every adapter is measured the same
 * way without each one carrying metrics code.
 */
import { Metrics } from './metric-names.js';
import type { ServiceMetrics } from './metrics.js';
import type { KeywordIndex } from './ports/keyword-index.js';
import type { VectorIndex } from './ports/vector-index.js';

const KEYWORD_OPERATIONS = ['init', 'upsert', 'delete', 'deleteRepository', 'search', 'ping'] as const;
const VECTOR_OPERATIONS = ['upsert', 'delete', 'deleteRepository', 'query', 'count', 'ping'] as const;

function instrument<T extends { readonly name: string }>(
  target: T,
  operations: readonly (keyof T & string)[],
  metrics: ServiceMetrics,
): T {
  const duration = metrics.histogram(Metrics.storeOperationDuration);
  const errors = metrics.counter(Metrics.storeErrors);
  const measured = new Set<string>(operations);
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      // Called on the real object, so adapters with #private fields keep working behind the proxy.
      if (typeof property !== 'string' || !measured.has(property)) return (value as () => unknown).bind(object);
      return async (...args: unknown[]) => {
        const labels = { store: object.name, operation: property };
        const stop = duration.startTimer(labels);
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
        } catch (error) {
          errors.inc(labels);
          throw error;
        } finally {
          stop();
        }
      };
    },
  });
}

export function instrumentKeywordIndex(index: KeywordIndex, metrics: ServiceMetrics): KeywordIndex {
  return instrument(index, [...KEYWORD_OPERATIONS], metrics);
}

export function instrumentVectorIndex(index: VectorIndex, metrics: ServiceMetrics): VectorIndex {
  return instrument(index, [...VECTOR_OPERATIONS], metrics);
}
