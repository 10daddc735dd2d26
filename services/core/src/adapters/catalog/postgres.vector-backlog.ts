import { ValidationError } from '../../errors.js';
import type { PendingVectorChunk, VectorBacklog } from '../../ports/catalog.js';
import type { SqlDatabase } from '../../ports/sql-database.js';

function encodeEmbedding(embedding: readonly number[]): string {
  return Buffer.from(Float32Array.from(embedding).buffer).toString('hex');
}

function decodeEmbedding(bytes: Uint8Array): number[] {
  const copy = Uint8Array.from(bytes);
  return Array.from(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
}

/** Chunks still waiting for their vector, and the content-hash embedding cache that spares re-embedding. */
export class PostgresVectorBacklog implements VectorBacklog {
  constructor(private readonly sql: SqlDatabase) {}

  async listPendingVectors(
    repository: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<PendingVectorChunk[]> {
    const { rows } = await this.sql.query<{
      id: string;
      path: string;
      language: string;
      symbol: string | null;
      content_hash: string;
      content: string;
    }>(
      `SELECT id, path, language, symbol, content_hash, content FROM chunks
       WHERE repository = $1 AND NOT embedded AND ($2::text IS NULL OR id > $2::text)
       ORDER BY id LIMIT $3`,
      [repository, afterId ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      path: row.path,
      language: row.language,
      ...(row.symbol ? { symbol: row.symbol } : {}),
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
}
