import type { Chunk } from '../../domain/chunk.js';
import type { CatalogFileState, ScannedFile } from '../../domain/file-state.js';
import { ValidationError } from '../../errors.js';
import type { FileCatalog, FileChange, SkippedFile } from '../../ports/catalog.js';
import type { SqlDatabase, SqlQueryable } from '../../ports/sql-database.js';
import { translateWriteError } from './catalog-sql-errors.js';

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

/** Files and chunk rows of each repository, and the keyword writes a sync has started but not committed. */
export class PostgresFileCatalog implements FileCatalog {
  constructor(private readonly sql: SqlDatabase) {}

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

  async listChunks(repository: string, afterId: string | undefined, limit: number): Promise<Chunk[]> {
    const { rows } = await this.sql.query<ChunkRow>(
      `SELECT id, repository, path, language, start_line, end_line, symbol, content, content_hash
       FROM chunks WHERE repository = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [repository, afterId ?? null, limit],
    );
    return rows.map(toChunk);
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
