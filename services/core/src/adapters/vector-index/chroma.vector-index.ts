import { createHash } from 'node:crypto';
import {
  ChromaClient,
  ChromaClientError,
  ChromaConnectionError,
  ChromaNotFoundError,
  type Collection,
  type Where,
} from 'chromadb';
import type { ScoredId } from '../../domain/chunk.js';
import { DependencyError, ValidationError } from '../../errors.js';
import {
  MAX_VECTOR_QUERY_LIMIT,
  type VectorIndex,
  type VectorQuery,
  type VectorRecord,
} from '../../ports/vector-index.js';
import { ExternalVectors } from './external-vectors.embedding-function.js';

export interface ChromaVectorIndexOptions {
  url: string;
  modelId: string;
  dimension: number;
  /** Starts every collection name; lets deployments (and tests) share one Chroma server. */
  collectionPrefix?: string;
}

const UPSERT_BATCH = 250;

function slug(value: string, max: number): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max);
}

/**
 * Collection name for one (model, dimension, repository). Chroma allows 3-512 characters of [a-zA-Z0-9._-],
 * starting and ending with a letter or digit; slugs keep names readable and the hash keeps them distinct.
 */
export function chromaCollectionName(prefix: string, modelId: string, dimension: number, repository: string): string {
  const hash = createHash('sha256').update(`${modelId}\0${dimension}\0${repository}`).digest('hex').slice(0, 10);
  return `${prefix}${slug(modelId, 48)}-${dimension}-${slug(repository, 64)}-${hash}`.replace(/^[^a-zA-Z0-9]+/, '');
}

/** Chroma reports a missing collection as a 404 or as a 400 "does not exist". */
function isMissingCollection(error: unknown): boolean {
  return (
    error instanceof ChromaNotFoundError ||
    (error instanceof ChromaClientError && /does not exist|not found/i.test(error.message))
  );
}

function translate(error: unknown, action: string): never {
  if (error instanceof ChromaConnectionError || (error instanceof TypeError && /fetch/i.test(error.message))) {
    throw new DependencyError('chroma', `Chroma is unavailable (${action})`, { cause: error });
  }
  if (error instanceof ChromaClientError) {
    throw new ValidationError(`Chroma rejected ${action}: ${error.message}`, { cause: error });
  }
  throw error;
}

/**
 * Vectors in Chroma: one collection per (model, dimension, repository), cosine space, explicit embeddings only
 * (never Chroma's embedding functions). A collection per repository because a `where` filter on repository makes
 * a query 5-6x slower (ENVIRONMENT.md); a multi-repository query runs one query per collection in parallel and
 * merges by score.
 */
export class ChromaVectorIndex implements VectorIndex {
  readonly name = 'chroma';
  readonly modelId: string;
  readonly dimension: number;
  private readonly client: ChromaClient;
  private readonly prefix: string;
  private readonly collections = new Map<string, Promise<Collection>>();

  constructor(options: ChromaVectorIndexOptions) {
    if (!Number.isInteger(options.dimension) || options.dimension < 1) {
      throw new ValidationError('vector dimension must be a positive integer');
    }
    this.modelId = options.modelId;
    this.dimension = options.dimension;
    this.prefix = options.collectionPrefix ?? 'myragdb-';
    const url = new URL(options.url);
    this.client = new ChromaClient({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      ssl: url.protocol === 'https:',
    });
  }

  private collectionName(repository: string): string {
    if (repository.length === 0) throw new ValidationError('repository must not be empty');
    return chromaCollectionName(this.prefix, this.modelId, this.dimension, repository);
  }

  private collection(repository: string): Promise<Collection> {
    const name = this.collectionName(repository);
    let collection = this.collections.get(name);
    if (!collection) {
      collection = this.client
        .getOrCreateCollection({
          name,
          embeddingFunction: new ExternalVectors(),
          configuration: { hnsw: { space: 'cosine' } },
          metadata: { modelId: this.modelId, dimension: this.dimension, repository },
        })
        .catch((error: unknown) => {
          this.collections.delete(name);
          return translate(error, `opening collection ${name}`);
        });
      this.collections.set(name, collection);
    }
    return collection;
  }

  /** The repository's collection, or undefined when it was never written (a query must not create it). */
  private async existingCollection(repository: string): Promise<Collection | undefined> {
    const name = this.collectionName(repository);
    const cached = this.collections.get(name);
    if (cached) return cached;
    try {
      const collection = await this.client.getCollection({ name, embeddingFunction: new ExternalVectors() });
      this.collections.set(name, Promise.resolve(collection));
      return collection;
    } catch (error) {
      if (error instanceof ChromaNotFoundError) return undefined;
      return translate(error, `opening collection ${name}`);
    }
  }

  private checkEmbedding(embedding: readonly number[], what: string): void {
    if (embedding.length !== this.dimension || !embedding.every(Number.isFinite)) {
      throw new ValidationError(`${what} must be ${this.dimension} finite numbers, got ${embedding.length}`);
    }
  }

  async upsert(repository: string, records: readonly VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const record of records) {
      if (!record.id) throw new ValidationError('vector record id must not be empty');
      this.checkEmbedding(record.embedding, `embedding of ${record.id}`);
    }
    // Last write wins for an id repeated in one call, as it would across calls.
    const unique = [...new Map(records.map((record) => [record.id, record])).values()];
    const collection = await this.collection(repository);
    for (let offset = 0; offset < unique.length; offset += UPSERT_BATCH) {
      const batch = unique.slice(offset, offset + UPSERT_BATCH);
      await collection
        .upsert({
          ids: batch.map((record) => record.id),
          embeddings: batch.map((record) => [...record.embedding]),
          metadatas: batch.map((record) => ({ path: record.path, language: record.language })),
        })
        .catch((error: unknown) => translate(error, 'upsert'));
    }
  }

  async delete(repository: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const collection = await this.existingCollection(repository);
    if (!collection) return;
    await collection.delete({ ids: [...ids] }).catch((error: unknown) => translate(error, 'delete'));
  }

  async deleteRepository(repository: string): Promise<void> {
    const name = this.collectionName(repository);
    this.collections.delete(name);
    try {
      await this.client.deleteCollection({ name });
    } catch (error) {
      // Already gone: deleting is idempotent.
      if (isMissingCollection(error)) return;
      translate(error, 'delete collection');
    }
  }

  async query(query: VectorQuery): Promise<ScoredId[]> {
    this.checkEmbedding(query.embedding, 'query embedding');
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_VECTOR_QUERY_LIMIT) {
      throw new ValidationError(`limit must be an integer between 1 and ${MAX_VECTOR_QUERY_LIMIT}`);
    }
    const languages = query.languages;
    if (query.repositories.length === 0 || languages?.length === 0) return [];
    const where: Where | undefined = languages
      ? languages.length === 1
        ? { language: languages[0]! }
        : { language: { $in: [...languages] } }
      : undefined;
    const perRepository = await Promise.all(
      [...new Set(query.repositories)].map(async (repository) => {
        const collection = await this.existingCollection(repository);
        if (!collection) return [];
        const result = await collection
          .query({
            queryEmbeddings: [[...query.embedding]],
            nResults: query.limit,
            include: ['distances'],
            ...(where ? { where } : {}),
          })
          .catch((error: unknown) => {
            // Deleted by another process (the repository was removed) since this one opened it: no vectors.
            if (!isMissingCollection(error)) return translate(error, 'query');
            this.collections.delete(this.collectionName(repository));
            return { ids: [], distances: [] };
          });
        const ids = result.ids[0] ?? [];
        const distances = result.distances[0] ?? [];
        return ids.map((id, index) => ({ id, score: 1 - (distances[index] ?? 1) }));
      }),
    );
    return perRepository
      .flat()
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, query.limit);
  }

  async count(repository: string): Promise<number> {
    const collection = await this.existingCollection(repository);
    if (!collection) return 0;
    return collection.count().catch((error: unknown) => translate(error, 'count'));
  }

  async ping(): Promise<void> {
    await this.client.heartbeat().catch((error: unknown) => translate(error, 'heartbeat'));
  }

  close(): Promise<void> {
    this.collections.clear();
    return Promise.resolve();
  }
}
