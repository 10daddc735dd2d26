import type { Meilisearch } from 'meilisearch';
import { ComponentKind, HealthStatus } from '../../../core/src/domain/health-report.js';
import type { ComponentCheck, ProbeResult } from './component-check.js';

/** Meilisearch (only when configured): `/health`, then per-index document counts from `/stats`. */
export class MeilisearchCheck implements ComponentCheck {
  readonly kind = ComponentKind.KEYWORD_STORE;

  constructor(
    private readonly client: Meilisearch,
    readonly name = 'meilisearch',
  ) {}

  async probe(): Promise<ProbeResult> {
    const health = await this.client.health();
    if (health.status !== 'available') {
      return { status: HealthStatus.UNHEALTHY, message: `health answered ${String(health.status)}` };
    }
    const stats = await this.client.getStats();
    const indexes = Object.fromEntries(
      Object.entries(stats.indexes).map(([uid, index]) => [
        uid,
        { documents: index.numberOfDocuments, is_indexing: index.isIndexing },
      ]),
    );
    return {
      status: HealthStatus.HEALTHY,
      message: `available, ${Object.keys(indexes).length} index(es)`,
      details: { database_size_bytes: stats.databaseSize, indexes },
    };
  }
}
