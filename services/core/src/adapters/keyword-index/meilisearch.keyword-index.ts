import {
  Meilisearch,
  MeilisearchApiError,
  MeilisearchRequestError,
  MeilisearchRequestTimeOutError,
  MeilisearchTaskTimeOutError,
  type EnqueuedTaskPromise,
  type Index,
  type MultiSearchParams,
  type MultiSearchQuery,
  type SearchResponse,
  type Task,
} from 'meilisearch';
import winston from 'winston';
import type { Chunk, ScoredId, SearchFilter } from '../../domain/chunk.js';
import { compilePathGlobs } from '../../domain/path-globs.js';
import { AppError, ConfigError, DependencyError, ValidationError, type AppErrorOptions } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { KeywordIndex, KeywordQuery } from '../../ports/keyword-index.js';
import { isRetryableError } from '../../resilience/retryable-error.js';
import { withRetry, type BackoffStrategy } from '../../resilience/retry.js';
import { validChunks, validQuery } from './keyword-documents.js';
import {
  batchesWithin,
  meilisearchDocument,
  type BatchLimits,
  type MeilisearchDocument,
} from './meilisearch.documents.js';
import {
  mergeRankedHits,
  preciseQuery,
  relaxedQuery,
  searchTerms,
  termQuery,
  type RankedHit,
} from './meilisearch.query.js';
import { MAX_TOTAL_HITS, settingsToUpdate } from './meilisearch.settings.js';

export interface MeilisearchKeywordIndexOptions {
  url: string;
  apiKey?: string;
  /** Starts the index uid; lets installations (and tests) share one server. Letters, digits, `_` and `-`. */
  indexPrefix?: string;
  /** How long to wait for an indexing task before failing (ms). */
  taskTimeoutMs?: number;
  /** Timeout of one HTTP request (ms). */
  requestTimeoutMs?: number;
  /** Logs retries; without it they happen silently. */
  logger?: Logger;
  /** Retries of a write or settings request after a retryable failure (network, 408/429/5xx). Default 3. */
  maxRetries?: number;
  retryBackoff?: BackoffStrategy;
  batchLimits?: Partial<BatchLimits>;
}

export const DEFAULT_INDEX_PREFIX = 'myragdb_';
/** Version of the documents' fields (`meilisearch.documents.ts`): a change rewrites every repository's documents. */
const DOCUMENT_FORMAT = 'v1';
/** Index uid characters Meilisearch accepts. */
const INDEX_PREFIX = /^[A-Za-z0-9_-]*$/;
const DEFAULT_BATCH_LIMITS: BatchLimits = { maxDocuments: 1_000, maxBytes: 8 * 1024 * 1024 };
const DELETE_BATCH = 10_000;
const silentLogger: Logger = winston.createLogger({ silent: true });
const WRITE_BACKOFF: BackoffStrategy = {
  kind: 'exponential',
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  factor: 2,
  jitter: 'equal',
};

/** The uid of an installation's keyword index on a (possibly shared) Meilisearch server. */
export function keywordIndexUid(prefix: string = DEFAULT_INDEX_PREFIX): string {
  return `${prefix}chunks`;
}

/** A Meilisearch task ended `failed` or `canceled`, or did not end in time. Retryable only when the cause is. */
export class MeilisearchTaskError extends DependencyError {
  override readonly retryable: boolean;
  constructor(
    message: string,
    readonly task: { uid?: number; status?: string; errorCode?: string; errorType?: string },
    retryable: boolean,
    options: AppErrorOptions = {},
  ) {
    super('meilisearch', message, options);
    this.retryable = retryable;
  }
}

/** Meilisearch refused a request for good (a bad or too weak API key, a missing index): retrying cannot help. */
export class MeilisearchRejectedError extends DependencyError {
  override readonly retryable = false;
  constructor(
    message: string,
    readonly errorCode: string | undefined,
    options: AppErrorOptions = {},
  ) {
    super('meilisearch', message, options);
  }
}

/** The typed error for a failed Meilisearch call (pure). */
export function meilisearchError(error: unknown, action: string): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof MeilisearchTaskTimeOutError) {
    return new MeilisearchTaskError(`Meilisearch task not done in time (${action})`, {}, false, { cause: error });
  }
  if (error instanceof MeilisearchRequestError || error instanceof MeilisearchRequestTimeOutError) {
    return new DependencyError('meilisearch', `Meilisearch is unavailable (${action})`, { cause: error });
  }
  if (error instanceof MeilisearchApiError) {
    const status = error.response.status;
    const code = error.cause?.code;
    const detail = `${action}: ${code ?? `HTTP ${status}`}: ${error.message}`;
    if (status === 401 || status === 403 || error.cause?.type === 'auth') {
      return new MeilisearchRejectedError(`Meilisearch refused the API key (${detail}); check MEILI_API_KEY`, code, {
        cause: error,
      });
    }
    if (code === 'index_not_found') {
      return new MeilisearchRejectedError(`Meilisearch index missing (${detail}); restart to recreate it`, code, {
        cause: error,
      });
    }
    if (isRetryableError(error)) {
      return new DependencyError('meilisearch', `Meilisearch failed (${detail})`, { cause: error });
    }
    return new ValidationError(`Meilisearch rejected ${detail}`, { cause: error });
  }
  return error;
}

function quoteFilterValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function filterExpression(filter: SearchFilter, pathPrefixes: readonly string[] | undefined): string[] {
  const clauses: string[] = [];
  if (filter.repositories) clauses.push(`repository IN [${filter.repositories.map(quoteFilterValue).join(', ')}]`);
  if (filter.languages) clauses.push(`language IN [${filter.languages.map(quoteFilterValue).join(', ')}]`);
  if (pathPrefixes) clauses.push(`pathPrefixes IN [${pathPrefixes.map(quoteFilterValue).join(', ')}]`);
  return clauses;
}

/**
 * Keyword search on Meilisearch: one index per installation (`<prefix>chunks`) with `repository` as a filter.
 * Meilisearch filters are cheap bitmap intersections (unlike Chroma's), one index keeps scores comparable across
 * repositories and needs one settings task, and many small indexes would each cost an LMDB environment and
 * task-queue churn. Every write waits for its task, so a returned upsert is searchable; writes and settings are
 * retried on network failures, 408/429 and 5xx only; searches are not (the gateway's leg timeout and circuit breaker
 * handle a store that is down).
 */
export class MeilisearchKeywordIndex implements KeywordIndex {
  readonly name = 'meilisearch';
  readonly uid: string;
  readonly store: string;
  private readonly client: Meilisearch;
  private readonly taskTimeoutMs: number;
  private readonly batchLimits: BatchLimits;

  constructor(private readonly options: MeilisearchKeywordIndexOptions) {
    const prefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
    if (!INDEX_PREFIX.test(prefix)) {
      throw new ConfigError(`Meilisearch index prefix ${JSON.stringify(prefix)}: use letters, digits, _ and -`);
    }
    this.client = new Meilisearch({
      host: options.url,
      timeout: options.requestTimeoutMs ?? 10_000,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    });
    this.uid = keywordIndexUid(prefix);
    this.store = `meilisearch/${DOCUMENT_FORMAT}/${this.uid}@${new URL(options.url).host}`;
    this.taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
    this.batchLimits = { ...DEFAULT_BATCH_LIMITS, ...options.batchLimits };
  }

  private get index(): Index<MeilisearchDocument> {
    return this.client.index<MeilisearchDocument>(this.uid);
  }

  /** Runs a call with typed errors, retrying retryable failures when `retry` is set. */
  private async call<T>(action: string, fn: () => Promise<T>, retry = true): Promise<T> {
    const attempt = async () => {
      try {
        return await fn();
      } catch (error) {
        throw meilisearchError(error, action);
      }
    };
    if (!retry) return attempt();
    return withRetry(attempt, {
      operation: `meilisearch.${action}`,
      logger: this.options.logger ?? silentLogger,
      maxRetries: this.options.maxRetries ?? 3,
      backoff: this.options.retryBackoff ?? WRITE_BACKOFF,
    });
  }

  /** Enqueues every write first (Meilisearch batches consecutive ones), then waits for all; fails on any failure. */
  private async write(action: string, enqueue: Array<() => EnqueuedTaskPromise>): Promise<void> {
    const uids: number[] = [];
    for (const request of enqueue) uids.push((await this.call(action, async () => await request())).taskUid);
    const tasks = await this.call(`${action} (wait)`, () =>
      this.client.tasks.waitForTasks(uids, { timeout: this.taskTimeoutMs }),
    );
    for (const task of tasks) assertSucceeded(task, action);
  }

  async init(): Promise<void> {
    const exists = await this.call('init', async () => {
      try {
        await this.client.getIndex(this.uid);
        return true;
      } catch (error) {
        if (error instanceof MeilisearchApiError && error.cause?.code === 'index_not_found') return false;
        throw error;
      }
    });
    if (!exists) {
      const created = await this.call('create index', () =>
        this.client.createIndex(this.uid, { primaryKey: 'id' }).waitTask({ timeout: this.taskTimeoutMs }),
      );
      // Another process (gateway and indexer start together) may have created it first: that is fine.
      if (created.error?.code !== 'index_already_exists') assertSucceeded(created, 'create index');
    }
    const current = await this.call('read settings', () => this.index.getSettings());
    const update = settingsToUpdate(current);
    if (update) await this.write('update settings', [() => this.index.updateSettings(update)]);
  }

  async upsert(chunks: readonly Chunk[]): Promise<void> {
    // Everything is validated and measured before the first request: bad input writes nothing.
    const documents = validChunks(chunks).map(meilisearchDocument);
    const batches = batchesWithin(documents, this.batchLimits, (document) => `chunk ${document.id}`);
    await this.write(
      'upsert',
      batches.map((batch) => () => this.index.addDocuments(batch, { primaryKey: 'id' })),
    );
  }

  async delete(ids: readonly string[]): Promise<void> {
    const batches: string[][] = [];
    for (let offset = 0; offset < ids.length; offset += DELETE_BATCH)
      batches.push(ids.slice(offset, offset + DELETE_BATCH));
    await this.write(
      'delete',
      batches.map((batch) => () => this.index.deleteDocuments(batch)),
    );
  }

  async deleteRepository(repository: string): Promise<void> {
    await this.write('delete repository', [
      () => this.index.deleteDocuments({ filter: `repository = ${quoteFilterValue(repository)}` }),
    ]);
  }

  async search(query: KeywordQuery): Promise<ScoredId[]> {
    const { text, limit, filter } = validQuery(query);
    const terms = searchTerms(text);
    if (terms.length === 0 || filter.repositories?.length === 0 || filter.languages?.length === 0) return [];
    const globs = filter.pathGlobs?.length ? compilePathGlobs(filter.pathGlobs) : undefined;
    const prefixes = globs && !globs.prefixes.includes('') ? globs.prefixes : undefined;
    // Globs are matched here, after the directory pre-filter, so fetch more than asked when they are set.
    const fetchLimit = Math.min(globs ? limit * 8 : limit, MAX_TOTAL_HITS);
    const base = { indexUid: this.uid, filter: filterExpression(filter, prefixes) };
    const ranked = (q: string, matchingStrategy: 'all' | 'last') => ({
      ...base,
      q,
      matchingStrategy,
      limit: fetchLimit,
      attributesToRetrieve: ['id', 'path'],
      showRankingScore: true,
      sort: ['id:asc'],
    });
    const counts = terms.length > 1 ? terms.map((term) => ({ ...base, q: termQuery(term), limit: 0 })) : [];
    const first = await this.multiSearch([ranked(preciseQuery(terms), 'all'), ...counts]);
    const precise = rankedHits(first[0]);
    const relaxed = precise.length < fetchLimit ? relaxedQuery(terms, first.slice(1).map(totalHits)) : undefined;
    const fallback = relaxed === undefined ? [] : rankedHits((await this.multiSearch([ranked(relaxed, 'last')]))[0]);
    return mergeRankedHits(precise, fallback, limit, globs ? globs.matches : undefined);
  }

  private async multiSearch(queries: MultiSearchQuery[]): Promise<SearchResponse<MeilisearchDocument>[]> {
    const { results } = await this.call(
      'search',
      () => this.client.multiSearch<MultiSearchParams, MeilisearchDocument>({ queries }),
      false,
    );
    return results;
  }

  async ping(): Promise<void> {
    await this.call('health', () => this.client.health(), false);
  }

  async close(): Promise<void> {
    // The client holds no connections of its own (fetch per request).
  }
}

function rankedHits(result: SearchResponse<MeilisearchDocument> | undefined): RankedHit[] {
  return (result?.hits ?? []).map((hit) => ({ id: hit.id, path: hit.path, score: hit._rankingScore ?? 0 }));
}

function totalHits(result: SearchResponse<MeilisearchDocument>): number {
  return result.estimatedTotalHits ?? result.totalHits ?? 0;
}

function assertSucceeded(task: Task, action: string): void {
  if (task.status === 'succeeded') return;
  const errorType = task.error?.type;
  throw new MeilisearchTaskError(
    `Meilisearch task ${task.uid} (${action}) ${task.status}: ${task.error?.code ?? ''} ${task.error?.message ?? ''}`.trim(),
    {
      uid: task.uid,
      status: task.status,
      ...(task.error ? { errorCode: task.error.code, errorType } : {}),
    },
    // A canceled task or a server-side failure may pass on retry; a refused request or document will not.
    task.status === 'canceled' || errorType === 'internal',
  );
}
