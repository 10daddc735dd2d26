import assert from 'node:assert/strict';
import { PostgresKeywordIndex } from '../src/adapters/keyword-index/postgres.keyword-index.js';
import { PgliteSqlDatabase } from '../src/adapters/sql-database/pglite.sql-database.js';
import { ChromaVectorIndex } from '../src/adapters/vector-index/chroma.vector-index.js';
import { migrate } from '../src/db/migrate.js';
import { Metrics } from '../src/metric-names.js';
import { createMetrics, type ServiceMetrics } from '../src/metrics.js';
import { instrumentKeywordIndex, instrumentVectorIndex } from '../src/store-metrics.js';
import { freePort } from '../../../test/support/ports.js';

async function observations(metrics: ServiceMetrics, store: string, operation: string) {
  const histogram = await metrics.histogram(Metrics.storeOperationDuration).get();
  const count = histogram.values.find(
    (v) => v.metricName?.endsWith('_count') && v.labels.store === store && v.labels.operation === operation,
  );
  const errors = await metrics.counter(Metrics.storeErrors).get();
  const failed = errors.values.find((v) => v.labels.store === store && v.labels.operation === operation);
  return { calls: count?.value ?? 0, errors: failed?.value ?? 0 };
}

describe('store metrics', function () {
  this.timeout(60_000);

  it('times every keyword-index call of a real adapter, by store and operation', async () => {
    const sql = await PgliteSqlDatabase.open();
    try {
      await migrate(sql);
      const metrics = createMetrics('search-gateway');
      const index = instrumentKeywordIndex(new PostgresKeywordIndex(sql), metrics);
      assert.equal(index.name, 'postgres');
      await index.init();
      await index.ping();
      await index.search({ text: 'retry http', limit: 5, filter: {} });
      await index.search({ text: 'parse query', limit: 5, filter: {} });
      assert.deepEqual(await observations(metrics, 'postgres', 'search'), { calls: 2, errors: 0 });
      assert.deepEqual(await observations(metrics, 'postgres', 'ping'), { calls: 1, errors: 0 });
      await index.close();
    } finally {
      await sql.close();
    }
  });

  it('counts failures and rethrows them unchanged', async () => {
    const metrics = createMetrics('indexer');
    const unreachable = new ChromaVectorIndex({
      url: `http://127.0.0.1:${await freePort()}`,
      modelId: 'm',
      dimension: 3,
    });
    const index = instrumentVectorIndex(unreachable, metrics);
    assert.equal(index.dimension, 3);
    const direct = await unreachable.ping().then(
      () => undefined,
      (error: unknown) => error,
    );
    await assert.rejects(
      index.ping(),
      (error: unknown) => error instanceof Error && error.constructor === (direct as Error).constructor,
    );
    assert.deepEqual(await observations(metrics, 'chroma', 'ping'), { calls: 1, errors: 1 });
  });
});
