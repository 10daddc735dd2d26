/**
 * Builds the real indexer for integration tests: catalog, queue and Postgres FTS on an isolated PostgreSQL database,
 * Chroma with a per-test collection prefix, the real default embedder wrapped to count what it embeds.
 */
import { Writable } from 'node:stream';
import type { ChromaFixture } from '../../support/chroma.js';
import type { PostgresFixture } from '../../support/postgres.js';
import { loadConfig } from '../../../services/core/src/config/load-config.js';
import { createIndexerRuntime, type IndexerRuntime } from '../../../services/indexer/src/indexer-runtime.js';
import type { IndexerOptions } from '../../../services/indexer/src/worker/indexer.js';
import { createLogger } from '../../../services/core/src/logging.js';
import type { Embedder } from '../../../services/core/src/ports/embedder.js';

/** Delegates to a real embedder and records every text it was asked to embed. */
export class CountingEmbedder implements Embedder {
  readonly embedded: string[] = [];
  calls = 0;

  constructor(private readonly inner: Embedder) {}

  get modelId(): string {
    return this.inner.modelId;
  }

  get dimension(): number {
    return this.inner.dimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    this.calls++;
    this.embedded.push(...texts);
    return this.inner.embed(texts);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  reset(): void {
    this.embedded.length = 0;
    this.calls = 0;
  }
}

/** Job failures are expected in these tests; their log lines go nowhere (the assertions check status instead). */
export const quietLogger = createLogger({
  service: 'indexer-test',
  level: 'error',
  format: 'json',
  stream: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

export async function createTestRuntime(
  postgres: PostgresFixture,
  chroma: ChromaFixture,
  embedder: Embedder,
  overrides: Partial<IndexerOptions> = {},
  environment: Record<string, string> = {},
): Promise<IndexerRuntime> {
  const config = loadConfig({ CHROMA_URL: chroma.url, INDEXER_SYNC_INTERVAL_SECONDS: '0', ...environment });
  return createIndexerRuntime({
    config,
    sql: postgres.sql,
    embedder,
    logger: quietLogger,
    collectionPrefix: chroma.collectionPrefix,
    overrides: { pollIntervalMs: 100, leaseMs: 5_000, ...overrides },
  });
}

/** Ids in the Postgres keyword store for a repository, read from the adapter's own table. */
export async function keywordIds(postgres: PostgresFixture, repository: string): Promise<string[]> {
  const { rows } = await postgres.sql.query<{ id: string }>(
    'SELECT id FROM keyword_chunks WHERE repository = $1 ORDER BY id',
    [repository],
  );
  return rows.map((row) => row.id);
}

export async function catalogIds(postgres: PostgresFixture, repository: string): Promise<string[]> {
  const { rows } = await postgres.sql.query<{ id: string }>('SELECT id FROM chunks WHERE repository = $1 ORDER BY id', [
    repository,
  ]);
  return rows.map((row) => row.id);
}

/** Ids stored in Chroma for the repository (the collection the adapter uses for the embedder's model). */
export async function vectorIds(chroma: ChromaFixture, repository: string): Promise<string[]> {
  const collections = await chroma.client.listCollections({ limit: 10_000 });
  const ids: string[] = [];
  for (const collection of collections) {
    if (!collection.name.startsWith(chroma.collectionPrefix) || !collection.name.includes(`-${repository}-`)) continue;
    const page = await collection.get({ include: [] });
    ids.push(...page.ids);
  }
  return ids.sort();
}
