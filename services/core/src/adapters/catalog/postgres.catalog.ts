import type { Chunk } from '../../domain/chunk.js';
import {
  newRepositorySchema,
  repositoryNameSchema,
  repositorySourceSchema,
  repositoryUpdateSchema,
  type NewRepository,
  type Repository,
  type RepositorySource,
  type RepositoryUpdate,
} from '../../domain/repository.js';
import { ConfigError, ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { CatalogFileState, ScannedFile } from '../../domain/file-state.js';
import type {
  Catalog,
  FileChange,
  IndexModel,
  PendingVectorChunk,
  RepositoryStats,
  SkippedFile,
} from '../../ports/catalog.js';
import type { SqlDatabase, SqlQueryable } from '../../ports/sql-database.js';
import type { CredentialCipher } from '../../security/credential-cipher.js';
import { sqlState } from '../sql-database/sql-errors.js';
import { parseValid } from '../../validation.js';

export interface PostgresCatalogOptions {
  /** Seals git credentials (AUTH_ENCRYPTION_KEY); without it, repositories with credentials are refused. */
  cipher?: CredentialCipher;
}

interface RepositoryRow {
  name: string;
  source: StoredSource;
  include_globs: string[];
  exclude_globs: string[];
  max_file_bytes: number;
  created_at: Date;
  updated_at: Date;
}

/** A source as stored: git credentials replaced by their sealed JSON. */
type GitSource = Extract<RepositorySource, { type: 'git' }>;
type StoredSource = Exclude<RepositorySource, GitSource> | (Omit<GitSource, 'credentials'> & { credentials?: string });

interface ChunkRow {
  id: string;
  repository: string;
  path: string;
  language: string;
  start_line: number;
  end_line: number;
  symbol: string | null;
  content: string;
  content_hash: string;
}

const SKIPPED_SAMPLE = 100;

function toChunk(row: ChunkRow): Chunk {
  return {
    id: row.id,
    repository: row.repository,
    path: row.path,
    language: row.language,
    startLine: row.start_line,
    endLine: row.end_line,
    ...(row.symbol !== null ? { symbol: row.symbol } : {}),
    content: row.content,
    contentHash: row.content_hash,
  };
}

function encodeEmbedding(embedding: readonly number[]): string {
  return Buffer.from(Float32Array.from(embedding).buffer).toString('hex');
}

function decodeEmbedding(bytes: Uint8Array): number[] {
  const copy = Uint8Array.from(bytes);
  return Array.from(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
}

/** Maps constraint failures to the error taxonomy; everything else is rethrown as is. */
function translateWriteError(error: unknown, repository: string): never {
  switch (sqlState(error)) {
    case '23503':
      throw new NotFoundError(`repository "${repository}" does not exist`, { cause: error });
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
      throw new ValidationError(`rejected by the catalog: ${(error as Error).message}`, { cause: error });
    default:
      throw error;
  }
}

/** The catalog on PostgreSQL or PGlite (same SQL), see `Catalog`. */
export class PostgresCatalog implements Catalog {
  constructor(
    private readonly sql: SqlDatabase,
    private readonly options: PostgresCatalogOptions = {},
  ) {}

  // Repositories

  async createRepository(input: NewRepository): Promise<Repository> {
    const repository = parseValid(newRepositorySchema, input, 'repository');
    try {
      const row = await this.sql.transaction(async (tx) => {
        const { rows } = await tx.query<RepositoryRow>(
          `INSERT INTO repositories (name, source, include_globs, exclude_globs, max_file_bytes)
           VALUES ($1, $2::jsonb, $3::text[], $4::text[], $5) RETURNING *`,
          [
            repository.name,
            JSON.stringify(this.sealSource(repository.source)),
            repository.include,
            repository.exclude,
            repository.maxFileBytes,
          ],
        );
        await tx.query('INSERT INTO index_state (repository) VALUES ($1)', [repository.name]);
        return rows[0]!;
      });
      return this.toRepository(row);
    } catch (error) {
      if (sqlState(error) === '23505') {
        throw new ConflictError(`repository "${repository.name}" already exists`, { cause: error });
      }
      return translateWriteError(error, repository.name);
    }
  }

  async getRepository(name: string): Promise<Repository> {
    const { rows } = await this.sql.query<RepositoryRow>('SELECT * FROM repositories WHERE name = $1', [name]);
    if (!rows[0]) throw new NotFoundError(`repository "${name}" does not exist`);
    return this.toRepository(rows[0]);
  }

  async listRepositories(): Promise<Repository[]> {
    const { rows } = await this.sql.query<RepositoryRow>('SELECT * FROM repositories ORDER BY name');
    return rows.map((row) => this.toRepository(row));
  }

  async updateRepository(name: string, update: RepositoryUpdate): Promise<Repository> {
    const changes = parseValid(repositoryUpdateSchema, update, 'repository update');
    const current = await this.getRepository(name);
    const next = {
      source: changes.source ?? current.source,
      include: changes.include ?? current.include,
      exclude: changes.exclude ?? current.exclude,
      maxFileBytes: changes.maxFileBytes ?? current.maxFileBytes,
    };
    try {
      const { rows } = await this.sql.query<RepositoryRow>(
        `UPDATE repositories SET source = $2::jsonb, include_globs = $3::text[], exclude_globs = $4::text[],
           max_file_bytes = $5, updated_at = now()
         WHERE name = $1 RETURNING *`,
        [name, JSON.stringify(this.sealSource(next.source)), next.include, next.exclude, next.maxFileBytes],
      );
      if (!rows[0]) throw new NotFoundError(`repository "${name}" does not exist`);
      return this.toRepository(rows[0]);
    } catch (error) {
      return translateWriteError(error, name);
    }
  }

  async deleteRepository(name: string): Promise<void> {
    const { rowCount } = await this.sql.query('DELETE FROM repositories WHERE name = $1', [name]);
    if (rowCount === 0) throw new NotFoundError(`repository "${name}" does not exist`);
  }

  private sealSource(source: RepositorySource): StoredSource {
    if (source.type !== 'git') return source;
    const { credentials, ...rest } = source;
    if (!credentials) return rest;
    if (!this.options.cipher) {
      throw new ValidationError('git credentials can only be stored when AUTH_ENCRYPTION_KEY is set');
    }
    return { ...rest, credentials: this.options.cipher.seal(JSON.stringify(credentials)) };
  }

  private toRepository(row: RepositoryRow): Repository {
    const stored = row.source;
    let source: unknown = stored;
    if (stored.type === 'git' && stored.credentials !== undefined) {
      if (!this.options.cipher) {
        throw new ConfigError(`repository "${row.name}" has stored credentials; set AUTH_ENCRYPTION_KEY to use them`);
      }
      source = { ...stored, credentials: JSON.parse(this.options.cipher.open(stored.credentials)) as unknown };
    }
    return {
      name: row.name,
      source: parseValid(repositorySourceSchema, source, `stored source of "${row.name}"`),
      include: row.include_globs,
      exclude: row.exclude_globs,
      maxFileBytes: row.max_file_bytes,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  // Files and chunks

  async fileStates(repository: string): Promise<Map<string, CatalogFileState>> {
    const { rows } = await this.sql.query<{ path: string; size: number; mtime_ms: number; content_hash: string }>(
      `SELECT path, size::float8 AS size, mtime_ms, content_hash FROM files
       WHERE repository = $1 AND skip_reason IS NULL`,
      [repository],
    );
    return new Map(
      rows.map((row) => [row.path, { size: row.size, mtimeMs: row.mtime_ms, contentHash: row.content_hash }]),
    );
  }

  async chunkIdsByPath(repository: string, paths: readonly string[]): Promise<Map<string, string[]>> {
    const { rows } = await this.sql.query<{ path: string; ids: string[] }>(
      `SELECT path, array_agg(id ORDER BY start_line, id) AS ids FROM chunks
       WHERE repository = $1 AND path = ANY($2::text[]) GROUP BY path`,
      [repository, paths],
    );
    return new Map(rows.map((row) => [row.path, row.ids]));
  }

  async applyFileChanges(repository: string, changes: readonly FileChange[]): Promise<void> {
    if (changes.length === 0) return;
    const chunks = changes.flatMap((change) => {
      for (const chunk of change.upsert) {
        if (chunk.repository !== repository || chunk.path !== change.path) {
          throw new ValidationError(
            `chunk ${chunk.id} belongs to ${chunk.repository}:${chunk.path}, not ${repository}:${change.path}`,
          );
        }
      }
      return change.upsert;
    });
    try {
      await this.sql.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO files (repository, path, size, mtime_ms, content_hash, language, skip_reason, updated_at)
           SELECT $1, f.path, f.size, f.mtime_ms, f.content_hash, f.language, NULL, now()
           FROM unnest($2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[])
             AS f(path, size, mtime_ms, content_hash, language)
           ON CONFLICT (repository, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
             content_hash = excluded.content_hash, language = coalesce(excluded.language, files.language),
             skip_reason = NULL, updated_at = now()`,
          [
            repository,
            changes.map((change) => change.path),
            changes.map((change) => change.size),
            changes.map((change) => change.mtimeMs),
            changes.map((change) => change.contentHash),
            changes.map((change) => change.upsert[0]?.language ?? null),
          ],
        );
        const deleteIds = changes.flatMap((change) => change.deleteIds);
        if (deleteIds.length > 0) {
          await tx.query('DELETE FROM chunks WHERE repository = $1 AND id = ANY($2::text[])', [repository, deleteIds]);
        }
        if (chunks.length > 0) {
          await insertChunks(tx, repository, chunks);
          await tx.query('DELETE FROM keyword_write_intents WHERE repository = $1 AND chunk_id = ANY($2::text[])', [
            repository,
            chunks.map((chunk) => chunk.id),
          ]);
        }
      });
    } catch (error) {
      return translateWriteError(error, repository);
    }
  }

  async recordKeywordWrites(repository: string, chunkIds: readonly string[]): Promise<void> {
    if (chunkIds.length === 0) return;
    try {
      await this.sql.query(
        `INSERT INTO keyword_write_intents (repository, chunk_id) SELECT $1, unnest($2::text[])
         ON CONFLICT DO NOTHING`,
        [repository, chunkIds],
      );
    } catch (error) {
      return translateWriteError(error, repository);
    }
  }

  async uncommittedKeywordWrites(repository: string): Promise<string[]> {
    const { rows } = await this.sql.query<{ chunk_id: string }>(
      `SELECT i.chunk_id FROM keyword_write_intents i
       WHERE i.repository = $1 AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = i.chunk_id)
       ORDER BY i.chunk_id`,
      [repository],
    );
    return rows.map((row) => row.chunk_id);
  }

  async forgetKeywordWrites(repository: string): Promise<void> {
    await this.sql.query('DELETE FROM keyword_write_intents WHERE repository = $1', [repository]);
  }

  async touchFiles(repository: string, files: readonly ({ path: string } & ScannedFile)[]): Promise<void> {
    if (files.length === 0) return;
    await this.sql.query(
      `UPDATE files SET size = t.size, mtime_ms = t.mtime_ms, updated_at = now()
       FROM unnest($2::text[], $3::float8[], $4::float8[]) AS t(path, size, mtime_ms)
       WHERE files.repository = $1 AND files.path = t.path`,
      [repository, files.map((file) => file.path), files.map((file) => file.size), files.map((file) => file.mtimeMs)],
    );
  }

  async deleteFiles(repository: string, paths: readonly string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        'DELETE FROM chunks WHERE repository = $1 AND path = ANY($2::text[]) RETURNING id',
        [repository, paths],
      );
      await tx.query('DELETE FROM files WHERE repository = $1 AND path = ANY($2::text[])', [repository, paths]);
      return rows.map((row) => row.id);
    });
  }

  async replaceSkippedFiles(repository: string, skipped: readonly SkippedFile[]): Promise<void> {
    try {
      await this.sql.transaction(async (tx) => {
        await tx.query('DELETE FROM files WHERE repository = $1 AND skip_reason IS NOT NULL', [repository]);
        if (skipped.length === 0) return;
        await tx.query(
          `INSERT INTO files (repository, path, skip_reason)
           SELECT $1, s.path, s.reason FROM unnest($2::text[], $3::text[]) AS s(path, reason)
           ON CONFLICT (repository, path) DO NOTHING`,
          [repository, skipped.map((file) => file.path), skipped.map((file) => file.reason)],
        );
      });
    } catch (error) {
      return translateWriteError(error, repository);
    }
  }

  async clearRepository(repository: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('DELETE FROM chunks WHERE repository = $1', [repository]);
      await tx.query('DELETE FROM files WHERE repository = $1', [repository]);
    });
  }

  async findChunkIdsByContentHash(contentHashes: readonly string[]): Promise<Map<string, string[]>> {
    if (contentHashes.length === 0) return new Map();
    const { rows } = await this.sql.query<{ content_hash: string; ids: string[] }>(
      `SELECT content_hash, array_agg(id ORDER BY id) AS ids FROM chunks
       WHERE content_hash = ANY($1::text[]) GROUP BY content_hash`,
      [contentHashes],
    );
    return new Map(rows.map((row) => [row.content_hash, row.ids]));
  }

  async getChunks(ids: readonly string[]): Promise<Chunk[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.sql.query<ChunkRow>(
      `SELECT id, repository, path, language, start_line, end_line, symbol, content, content_hash
       FROM chunks WHERE id = ANY($1::text[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, toChunk(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  // Vectors

  async listPendingVectors(
    repository: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<PendingVectorChunk[]> {
    const { rows } = await this.sql.query<{
      id: string;
      path: string;
      language: string;
      content_hash: string;
      content: string;
    }>(
      `SELECT id, path, language, content_hash, content FROM chunks
       WHERE repository = $1 AND NOT embedded AND ($2::text IS NULL OR id > $2::text)
       ORDER BY id LIMIT $3`,
      [repository, afterId ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      path: row.path,
      language: row.language,
      contentHash: row.content_hash,
      content: row.content,
    }));
  }

  async markVectorsDone(repository: string, chunkIds: readonly string[]): Promise<void> {
    if (chunkIds.length === 0) return;
    await this.sql.query('UPDATE chunks SET embedded = true WHERE repository = $1 AND id = ANY($2::text[])', [
      repository,
      chunkIds,
    ]);
  }

  async getCachedEmbeddings(modelId: string, contentHashes: readonly string[]): Promise<Map<string, number[]>> {
    if (contentHashes.length === 0) return new Map();
    const { rows } = await this.sql.query<{ content_hash: string; embedding: Uint8Array }>(
      'SELECT content_hash, embedding FROM embedding_cache WHERE model_id = $1 AND content_hash = ANY($2::text[])',
      [modelId, [...new Set(contentHashes)]],
    );
    return new Map(rows.map((row) => [row.content_hash, decodeEmbedding(row.embedding)]));
  }

  async putCachedEmbeddings(modelId: string, embeddings: ReadonlyMap<string, number[]>): Promise<void> {
    if (embeddings.size === 0) return;
    const entries = [...embeddings];
    for (const [hash, vector] of entries) {
      if (vector.length === 0 || !vector.every(Number.isFinite)) {
        throw new ValidationError(`embedding for ${hash} is empty or not finite`);
      }
    }
    await this.sql.query(
      `INSERT INTO embedding_cache (model_id, content_hash, embedding, dimension)
       SELECT $1, e.content_hash, decode(e.embedding, 'hex'), e.dimension
       FROM unnest($2::text[], $3::text[], $4::int[]) AS e(content_hash, embedding, dimension)
       ON CONFLICT (model_id, content_hash) DO NOTHING`,
      [
        modelId,
        entries.map(([hash]) => hash),
        entries.map(([, vector]) => encodeEmbedding(vector)),
        entries.map(([, vector]) => vector.length),
      ],
    );
  }

  // Index state

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
    }>(
      `SELECT EXISTS (SELECT 1 FROM repositories WHERE name = $1) AS exists,
         (SELECT count(*) FROM files WHERE repository = $1 AND skip_reason IS NULL)::int AS files,
         (SELECT count(*) FROM files WHERE repository = $1 AND skip_reason IS NOT NULL)::int AS skipped_files,
         (SELECT count(*) FROM chunks WHERE repository = $1)::int AS chunks,
         (SELECT count(*) FROM chunks WHERE repository = $1 AND NOT embedded)::int AS vectors_pending,
         s.model_id, s.dimension, s.generation, s.last_indexed_at, s.last_error
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
      generation: row.generation ?? 0,
      lastIndexedAt: row.last_indexed_at ?? undefined,
      lastError: row.last_error ?? undefined,
    };
  }
}

async function insertChunks(tx: SqlQueryable, repository: string, chunks: readonly Chunk[]): Promise<void> {
  // Same id means same repository, path and content: only the position and symbol may have moved, and the
  // stored vector (keyed by content) stays valid, so `embedded` is kept.
  await tx.query(
    `INSERT INTO chunks (id, repository, path, language, start_line, end_line, symbol, content, content_hash)
     SELECT c.id, $1, c.path, c.language, c.start_line, c.end_line, c.symbol, c.content, c.content_hash
     FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[])
       AS c(id, path, language, start_line, end_line, symbol, content, content_hash)
     ON CONFLICT (id) DO UPDATE SET start_line = excluded.start_line, end_line = excluded.end_line,
       symbol = excluded.symbol, language = excluded.language`,
    [
      repository,
      chunks.map((chunk) => chunk.id),
      chunks.map((chunk) => chunk.path),
      chunks.map((chunk) => chunk.language),
      chunks.map((chunk) => chunk.startLine),
      chunks.map((chunk) => chunk.endLine),
      chunks.map((chunk) => chunk.symbol ?? null),
      chunks.map((chunk) => chunk.content),
      chunks.map((chunk) => chunk.contentHash),
    ],
  );
}
