import { strict as assert } from 'node:assert';
import request from 'supertest';
import { UseLiteEmbedder } from '../../../services/core/src/adapters/embedder/use-lite.embedder.js';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { migrate } from '../../../services/core/src/db/migrate.js';
import { createIndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import { createMetrics } from '../../../services/core/src/metrics.js';
import type { Embedder } from '../../../services/core/src/ports/embedder.js';
import { createApp } from '../../../services/indexer/src/app.js';
import { useChroma } from '../../support/chroma.js';
import { freePort } from '../../support/ports.js';
import { usePostgres } from '../../support/postgres.js';
import { quietLogger } from './indexer-fixture.js';

describe('indexer service HTTP: probes and indexing metrics', function () {
  this.timeout(60_000);
  const postgres = usePostgres({ setup: (sql) => migrate(sql).then(() => undefined) });
  const chroma = useChroma();
  // The probes never embed: the real default embedder is constructed for its model id and never started.
  const embedder: Embedder = new UseLiteEmbedder({ workers: 1 });
  after(() => embedder.close());

  const appWith = async (chromaUrl: string) => {
    const config = loadConfig({ CHROMA_URL: chromaUrl });
    const metrics = createMetrics('indexer');
    const runtime = await createIndexerRuntime({
      config,
      sql: postgres.sql,
      embedder,
      logger: quietLogger,
      metrics,
      collectionPrefix: chroma.collectionPrefix,
    });
    return { app: createApp({ config, logger: quietLogger, metrics, readiness: runtime.readiness }), runtime };
  };

  it('is live and ready with its stores up, and exports queue depth and job metrics', async () => {
    const { app, runtime } = await appWith(chroma.url);
    await request(app).get('/api/v1/health/live').expect(200, { status: 'alive' });
    const ready = await request(app).get('/api/v1/health/ready').expect(200);
    assert.deepEqual(
      ready.body.checks.map((check: { name: string; ok: boolean }) => [check.name, check.ok]),
      [
        ['postgres', true],
        ['keyword-index:postgres', true],
        ['vector-index:chroma', true],
      ],
    );
    await runtime.catalog.createRepository({ name: 'queued', source: { type: 'local', path: '/nonexistent' } });
    await runtime.queue.enqueue('queued', 'sync');
    const metrics = await request(app).get('/api/v1/metrics').expect(200);
    assert.match(metrics.text, /myragdb_indexing_queue_depth\{state="queued",service="indexer"\} 1/);
    assert.match(metrics.text, /myragdb_indexing_job_duration_seconds/);
    assert.match(metrics.text, /myragdb_embedder_duration_seconds/);
    await runtime.close();
  });

  it('is not ready (503, naming the store) when Chroma is unreachable', async () => {
    const { app, runtime } = await appWith(`http://127.0.0.1:${await freePort()}`);
    await request(app).get('/api/v1/health/live').expect(200);
    const ready = await request(app).get('/api/v1/health/ready').expect(503);
    const chromaCheck = ready.body.checks.find((check: { name: string }) => check.name === 'vector-index:chroma');
    assert.equal(chromaCheck.ok, false);
    await runtime.close();
  });
});
