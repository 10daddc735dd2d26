import { repositoryNameSchema } from '../../domain/repository.js';
import { NotFoundError } from '../../errors.js';
import type { IndexModel, IndexStateCatalog, RepositoryStats } from '../../ports/catalog.js';
import type { SqlDatabase } from '../../ports/sql-database.js';
import { parseValid } from '../../validation.js';
import { translateWriteError } from './catalog-sql-errors.js';

const SKIPPED_SAMPLE = 100;

/** Per repository: its vectors' model, index generation, last sync outcome and counts. */
export class PostgresIndexState implements IndexStateCatalog {
  constructor(private readonly sql: SqlDatabase) {}

  async getIndexModel(repository: string): Promise<IndexModel | undefined> {
    const { rows } = await this.sql.query<{ model_id: string | null; dimension: number | null }>(
      'SELECT model_id, dimension FROM index_state WHERE repository = $1',
      [repository],
    );
    const row = rows[0];
    return row?.model_id && row.dimension ? { modelId: row.model_id, dimension: row.dimension } : undefined;
  }

  async resetIndexModel(repository: string, model: IndexModel): Promise<void> {
    try {
      await this.sql.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO index_state (repository, model_id, dimension, generation) VALUES ($1, $2, $3, 1)
           ON CONFLICT (repository) DO UPDATE SET model_id = excluded.model_id, dimension = excluded.dimension,
             generation = index_state.generation + 1, updated_at = now()`,
          [repository, model.modelId, model.dimension],
        );
        await tx.query('UPDATE chunks SET embedded = false WHERE repository = $1 AND embedded', [repository]);
      });
    } catch (error) {
      return translateWriteError(error, repository);
    }
  }

  async getKeywordStore(repository: string): Promise<string | undefined> {
    const { rows } = await this.sql.query<{ keyword_store: string | null }>(
      'SELECT keyword_store FROM index_state WHERE repository = $1',
      [repository],
    );
    return rows[0]?.keyword_store ?? undefined;
  }

  async recordKeywordStore(repository: string, store: string): Promise<void> {
    try {
      await this.sql.query(
        `INSERT INTO index_state (repository, keyword_store) VALUES ($1, $2)
         ON CONFLICT (repository) DO UPDATE SET keyword_store = excluded.keyword_store, updated_at = now()`,
        [repository, store],
      );
    } catch (error) {
      return translateWriteError(error, repository);
    }
  }

  async bumpIndexGeneration(repository: string): Promise<number> {
    try {
      const { rows } = await this.sql.query<{ generation: number }>(
        `INSERT INTO index_state (repository, generation) VALUES ($1, 1)
         ON CONFLICT (repository) DO UPDATE SET generation = index_state.generation + 1, updated_at = now()
         RETURNING generation`,
        [repository],
      );
      return rows[0]!.generation;
    } catch (error) {
      return translateWriteError(error, repository);
    }
  }

  async indexGenerations(repositories?: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.sql.query<{ repository: string; generation: number }>(
      'SELECT repository, generation FROM index_state WHERE $1::text[] IS NULL OR repository = ANY($1::text[])',
      [repositories ?? null],
    );
    return new Map(rows.map((row) => [row.repository, row.generation]));
  }

  async recordSyncOutcome(repository: string, outcome: { error?: string }): Promise<void> {
    try {
      await this.sql.query(
        `INSERT INTO index_state (repository, last_indexed_at, last_error)
         VALUES ($1, CASE WHEN $2::text IS NULL THEN now() END, $2::text)
         ON CONFLICT (repository) DO UPDATE SET last_error = excluded.last_error, updated_at = now(),
           last_indexed_at = coalesce(excluded.last_indexed_at, index_state.last_indexed_at)`,
        [repository, outcome.error ?? null],
      );
    } catch (error) {
      return translateWriteError(error, repository);
    }
  }

  async stats(repository: string): Promise<RepositoryStats> {
    parseValid(repositoryNameSchema, repository, 'repository name');
    const { rows } = await this.sql.query<{
      exists: boolean;
      files: number;
      skipped_files: number;
      chunks: number;
      vectors_pending: number;
      model_id: string | null;
      dimension: number | null;
      generation: number | null;
      last_indexed_at: Date | null;
      last_error: string | null;
      keyword_store: string | null;
    }>(
      `SELECT EXISTS (SELECT 1 FROM repositories WHERE name = $1) AS exists,
         (SELECT count(*) FROM files WHERE repository = $1 AND skip_reason IS NULL)::int AS files,
         (SELECT count(*) FROM files WHERE repository = $1 AND skip_reason IS NOT NULL)::int AS skipped_files,
         (SELECT count(*) FROM chunks WHERE repository = $1)::int AS chunks,
         (SELECT count(*) FROM chunks WHERE repository = $1 AND NOT embedded)::int AS vectors_pending,
         s.model_id, s.dimension, s.generation, s.last_indexed_at, s.last_error, s.keyword_store
       FROM (SELECT 1) AS one LEFT JOIN index_state s ON s.repository = $1`,
      [repository],
    );
    const row = rows[0]!;
    if (!row.exists) throw new NotFoundError(`repository "${repository}" does not exist`);
    const [byReason, sample] = await Promise.all([
      this.sql.query<{ reason: string; count: number }>(
        `SELECT skip_reason AS reason, count(*)::int AS count FROM files
         WHERE repository = $1 AND skip_reason IS NOT NULL GROUP BY skip_reason ORDER BY skip_reason`,
        [repository],
      ),
      this.sql.query<{ path: string; reason: string }>(
        `SELECT path, skip_reason AS reason FROM files WHERE repository = $1 AND skip_reason IS NOT NULL
         ORDER BY path LIMIT ${SKIPPED_SAMPLE}`,
        [repository],
      ),
    ]);
    return {
      repository,
      files: row.files,
      chunks: row.chunks,
      vectorsPending: row.vectors_pending,
      skippedFiles: row.skipped_files,
      skippedByReason: Object.fromEntries(byReason.rows.map((entry) => [entry.reason, entry.count])),
      skipped: sample.rows,
      model: row.model_id && row.dimension ? { modelId: row.model_id, dimension: row.dimension } : undefined,
      keywordStore: row.keyword_store ?? undefined,
      generation: row.generation ?? 0,
      lastIndexedAt: row.last_indexed_at ?? undefined,
      lastError: row.last_error ?? undefined,
    };
  }
}
