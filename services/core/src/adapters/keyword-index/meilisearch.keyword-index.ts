import {
  Meilisearch,
  MeilisearchApiError,
  MeilisearchRequestError,
  MeilisearchRequestTimeOutError,
  MeilisearchTaskTimeOutError,
  type EnqueuedTaskPromise,
  type Index,
  type Settings,
  type Task,
} from 'meilisearch';
import type { Chunk, ScoredId, SearchFilter } from '../../domain/chunk.js';
import { compilePathGlobs } from '../../domain/path-globs.js';
import { DependencyError, ValidationError } from '../../errors.js';
import type { KeywordIndex, KeywordQuery } from '../../ports/keyword-index.js';
import { chunkWords, MAX_LIMIT, queryTerms, validChunks, validQuery } from './keyword-documents.js';

export interface MeilisearchKeywordIndexOptions {
  url: string;
  apiKey?: string;
  /** Starts the index uid; lets deployments (and tests) share one server. */
  indexPrefix?: string;
  /** How long to wait for an indexing task before failing (ms). */
  taskTimeoutMs?: number;
}

interface KeywordDocument {
  id: string;
  repository: string;
  path: string;
  language: string;
  symbol: string;
  /** Identifier-split words of symbol, path and content: `parse query` finds `parseQuery`. */
  words: string;
  content: string;
}

const UPSERT_BATCH = 1_000;

/**
 * Code needs exact identifiers: typos only on long words, never on symbols, paths or numbers (a typo-tolerant
 * `getUser` must not also match `setUser`). `repository`, `language` and `path` are filterable; path globs are
 * matched after the search with the same picomatch rules as the Postgres adapter (Meilisearch has no glob filter).
 */
export const MEILISEARCH_SETTINGS: Settings = {
  searchableAttributes: ['symbol', 'words', 'path', 'content'],
  filterableAttributes: ['repository', 'language', 'path'],
  displayedAttributes: ['id', 'path'],
  typoTolerance: {
    enabled: true,
    minWordSizeForTypos: { oneTypo: 6, twoTypos: 10 },
    disableOnAttributes: ['symbol', 'path'],
    disableOnNumbers: true,
  },
  // Code punctuation separates words; `_` is kept so `user_id` also matches as a whole.
  separatorTokens: ['.', '/', '(', ')', '{', '}', '[', ']', '<', '>', ':', ';', ',', '=', '"', "'", '`'],
  nonSeparatorTokens: ['_'],
};

function quoteFilterValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function filterExpression(filter: SearchFilter): string[] {
  const clauses: string[] = [];
  if (filter.repositories) clauses.push(`repository IN [${filter.repositories.map(quoteFilterValue).join(', ')}]`);
  if (filter.languages) clauses.push(`language IN [${filter.languages.map(quoteFilterValue).join(', ')}]`);
  return clauses;
}

function translate(error: unknown, action: string): never {
  if (
    error instanceof MeilisearchRequestError ||
    error instanceof MeilisearchRequestTimeOutError ||
    error instanceof MeilisearchTaskTimeOutError
  ) {
    throw new DependencyError('meilisearch', `Meilisearch is unavailable (${action})`, { cause: error });
  }
  if (error instanceof MeilisearchApiError && (error.response?.status ?? 500) < 500) {
    throw new ValidationError(`Meilisearch rejected ${action}: ${error.message}`, { cause: error });
  }
  if (error instanceof MeilisearchApiError) {
    throw new DependencyError('meilisearch', `Meilisearch failed (${action})`, { cause: error });
  }
  throw error;
}

/**
 * Keyword search on Meilisearch: one index for the whole deployment with `repository` as a filter. Meilisearch
 * filters are cheap bitmap intersections (unlike Chroma's), one index keeps scores comparable across repositories
 * and needs one settings task, and many small indexes would each cost an LMDB environment and task-queue churn.
 * Every write waits for its task, so a returned upsert is searchable.
 */
export class MeilisearchKeywordIndex implements KeywordIndex {
  readonly name = 'meilisearch';
  private readonly client: Meilisearch;
  private readonly uid: string;
  private readonly taskTimeoutMs: number;

  constructor(options: MeilisearchKeywordIndexOptions) {
    this.client = new Meilisearch({ host: options.url, ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
    this.uid = `${options.indexPrefix ?? 'myragdb_'}chunks`;
    this.taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
  }

  private get index(): Index<KeywordDocument> {
    return this.client.index<KeywordDocument>(this.uid);
  }

  private async wait(task: EnqueuedTaskPromise, action: string): Promise<Task> {
    let done: Task;
    try {
      done = await task.waitTask({ timeout: this.taskTimeoutMs });
    } catch (error) {
      return translate(error, action);
    }
    if (done.status !== 'succeeded') {
      throw new DependencyError(
        'meilisearch',
        `Meilisearch task ${done.uid} (${action}) ${done.status}: ${done.error?.message ?? ''}`,
      );
    }
    return done;
  }

  async init(): Promise<void> {
    try {
      await this.client.getIndex(this.uid);
    } catch (error) {
      if (!(error instanceof MeilisearchApiError && error.cause?.code === 'index_not_found')) translate(error, 'init');
      await this.wait(this.client.createIndex(this.uid, { primaryKey: 'id' }), 'create index');
    }
    await this.wait(this.index.updateSettings(MEILISEARCH_SETTINGS), 'update settings');
  }

  async upsert(chunks: readonly Chunk[]): Promise<void> {
    const documents = validChunks(chunks).map((chunk): KeywordDocument => {
      const words = chunkWords(chunk);
      return {
        id: chunk.id,
        repository: chunk.repository,
        path: chunk.path,
        language: chunk.language,
        symbol: chunk.symbol ?? '',
        words: `${words.symbol} ${words.path} ${words.content}`,
        content: chunk.content,
      };
    });
    for (let offset = 0; offset < documents.length; offset += UPSERT_BATCH) {
      const batch = documents.slice(offset, offset + UPSERT_BATCH);
      await this.wait(this.index.addDocuments(batch, { primaryKey: 'id' }), 'upsert');
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.wait(this.index.deleteDocuments([...ids]), 'delete');
  }

  async deleteRepository(repository: string): Promise<void> {
    await this.wait(
      this.index.deleteDocuments({ filter: `repository = ${quoteFilterValue(repository)}` }),
      'delete repository',
    );
  }

  async search(query: KeywordQuery): Promise<ScoredId[]> {
    const { text, limit, filter } = validQuery(query);
    const terms = queryTerms(text);
    if (terms.length === 0 || filter.repositories?.length === 0 || filter.languages?.length === 0) return [];
    const globs = filter.pathGlobs?.length ? compilePathGlobs(filter.pathGlobs) : undefined;
    // Globs are matched here, so fetch more than asked when they are set.
    const fetchLimit = Math.min(globs ? limit * 8 : limit, MAX_LIMIT * 8);
    try {
      const result = await this.index.search(text, {
        limit: fetchLimit,
        filter: filterExpression(filter),
        attributesToRetrieve: ['id', 'path'],
        showRankingScore: true,
        matchingStrategy: 'last',
      });
      return result.hits
        .filter((hit) => !globs || globs.matches(hit.path))
        .slice(0, limit)
        .map((hit) => ({ id: hit.id, score: hit._rankingScore ?? 0 }));
    } catch (error) {
      return translate(error, 'search');
    }
  }

  async ping(): Promise<void> {
    try {
      await this.client.health();
    } catch (error) {
      translate(error, 'health');
    }
  }

  async close(): Promise<void> {
    // The client holds no connections of its own (fetch per request).
  }
}
