import {
  Meilisearch,
  MeilisearchApiError,
  MeilisearchRequestError,
  MeilisearchRequestTimeOutError,
  MeilisearchTaskTimeOutError,
  type EnqueuedTaskPromise,
  type Index,
  type MultiSearchQuery,
  type SearchResponse,
  type Task,
} from 'meilisearch';
import { Agent, request } from 'undici';
import winston from 'winston';
import type { Chunk, ScoredId, SearchFilter } from '../../domain/chunk.js';
import { compilePathGlobs } from '../../domain/path-globs.js';
import { AppError, ConfigError, DependencyError, ValidationError, type AppErrorOptions } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { KeywordIndex, KeywordQuery } from '../../ports/keyword-index.js';
import { isRetryableError, isRetryableStatus } from '../../resilience/retryable-error.js';
import { withRetry, type BackoffStrategy } from '../../resilience/retry.js';
import { validChunks, validQuery } from './keyword-documents.js';
import {
  type Bm25Candidate,
  type Bm25Parameters,
  candidateTerms,
  type CorpusStatistics,
  DEFAULT_BM25,
  rankBm25,
} from './bm25.js';
import { queryLexemes } from './english-lexemes.js';
import {
  batchesWithin,
  fileLengths,
  meilisearchDocument,
  type BatchLimits,
  type MeilisearchDocument,
} from './meilisearch.documents.js';
import {
  CANDIDATE_FIELDS,
  candidateFrequencies,
  type CandidateHit,
  estimateCorpus,
  lexemeQuery,
  termStatistics,
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
  /** Most chunks a search scores (the candidates: chunks holding the rarest query lexemes). Default 300. */
  candidateCap?: number;
  bm25?: Bm25Parameters;
}

export const DEFAULT_INDEX_PREFIX = 'myragdb_';
/** Version of the documents' fields (`meilisearch.documents.ts`): a change rewrites every repository's documents. */
const DOCUMENT_FORMAT = 'v3';
export const CANDIDATE_CAP = 300;
/** Chunks sampled (the first by id) to estimate a corpus's mean chunk length and number of files. */
const CORPUS_SAMPLE = 5_000;
/** How long corpus statistics are reused before they are read again (writes by this instance clear them). */
const STATISTICS_TTL_MS = 60_000;
/** Documents read per request when a write recomputes its files' lengths. */
const FETCH_PAGE = 5_000;
/** Files per `file IN [...]` filter. */
const FILES_PER_FETCH = 200;
/** Index uid characters Meilisearch accepts. */
const INDEX_PREFIX = /^[A-Za-z0-9_-]*$/;
const DEFAULT_BATCH_LIMITS: BatchLimits = { maxDocuments: 1_000, maxBytes: 8 * 1024 * 1024 };
const DELETE_BATCH = 10_000;
export const ONE_CONNECTION_PER_REQUEST = new Agent({ pipelining: 0 });
const KEPT_ALIVE = new Agent({ keepAliveTimeout: 2_000, keepAliveMaxTimeout: 2_000 });
const KEPT_ALIVE_MAX_COUNTS = 40;

/**
 * The connection of a search's count request, whose answer holds no hits (~200 bytes a lexeme): a kept-alive one
 * skips the connect, ~0.7 ms at p50 and ~1.8 ms at p95 on loopback (2.46 / 4.41 against 1.72 / 2.61 ms, 4 lexemes),
 * with no delayed-ACK stall up to 40 lexemes (8 KB); longer answers take a new connection like every other search.
 * Idle connections close after 2 s, long before Meilisearch closes them (over 30 s measured).
 */
export function countRequestDispatcher(lexemes: number): Agent {
  return lexemes <= KEPT_ALIVE_MAX_COUNTS ? KEPT_ALIVE : ONE_CONNECTION_PER_REQUEST;
}

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
    return meilisearchResponseError(
      { status: error.response.status, code: error.cause?.code, type: error.cause?.type, message: error.message },
      action,
      error,
    );
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || isRetryableError(error))) {
    // A socket error or timeout of a request made without the client (searches, see `multiSearch`).
    return new DependencyError('meilisearch', `Meilisearch is unavailable (${action})`, { cause: error });
  }
  return error;
}

/** The typed error for a Meilisearch error response (pure). */
export function meilisearchResponseError(
  response: { status: number; code?: string | undefined; type?: string | undefined; message: string },
  action: string,
  cause?: unknown,
): AppError {
  const { status, code } = response;
  const detail = `${action}: ${code ?? `HTTP ${status}`}: ${response.message}`;
  if (status === 401 || status === 403 || response.type === 'auth') {
    return new MeilisearchRejectedError(`Meilisearch refused the API key (${detail}); check MEILI_API_KEY`, code, {
      cause,
    });
  }
  if (code === 'index_not_found') {
    return new MeilisearchRejectedError(`Meilisearch index missing (${detail}); restart to recreate it`, code, {
      cause,
    });
  }
  if (isRetryableStatus(status)) return new DependencyError('meilisearch', `Meilisearch failed (${detail})`, { cause });
  return new ValidationError(`Meilisearch rejected ${detail}`, { cause });
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
  private readonly requestTimeoutMs: number;
  private readonly multiSearchUrl: URL;
  private readonly searchHeaders: Record<string, string>;
  private readonly taskTimeoutMs: number;
  private readonly batchLimits: BatchLimits;
  private readonly candidateCap: number;
  private readonly bm25: Bm25Parameters;
  /** Corpus statistics per repository filter, read at most once a minute. */
  private readonly corpora = new Map<
    string,
    { readAt: number; value: Promise<CorpusStatistics>; refreshing: boolean }
  >();

  constructor(private readonly options: MeilisearchKeywordIndexOptions) {
    const prefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
    if (!INDEX_PREFIX.test(prefix)) {
      throw new ConfigError(`Meilisearch index prefix ${JSON.stringify(prefix)}: use letters, digits, _ and -`);
    }
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.multiSearchUrl = new URL('multi-search', options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.searchHeaders = {
      'Content-Type': 'application/json',
      ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}),
    };
    this.client = new Meilisearch({
      host: options.url,
      timeout: this.requestTimeoutMs,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      // One connection per request: on a kept-alive connection Meilisearch 1.50's responses of a few KB stall ~40 ms
      // (a delayed-ACK and Nagle interplay; measured 45-58 ms against 3-7 ms on a fresh connection, and against
      // curl), several times per search. A new loopback or cluster connection costs a fraction of a millisecond.
      // The npm undici's Agent and the one Node's fetch types describe are different versions of one interface.
      requestInit: { dispatcher: ONE_CONNECTION_PER_REQUEST } as unknown as RequestInit,
    });
    this.uid = keywordIndexUid(prefix);
    this.store = `meilisearch/${DOCUMENT_FORMAT}/${this.uid}@${new URL(options.url).host}`;
    this.taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
    this.batchLimits = { ...DEFAULT_BATCH_LIMITS, ...options.batchLimits };
    this.candidateCap = Math.min(options.candidateCap ?? CANDIDATE_CAP, MAX_TOTAL_HITS);
    this.bm25 = options.bm25 ?? DEFAULT_BM25;
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

  /**
   * Writes the documents with their files' lengths: the other chunks already stored for those files are read, and
   * those whose file length changes are updated in the same write.
   */
  async upsert(chunks: readonly Chunk[]): Promise<void> {
    // Everything is validated before the first request and measured before the first write: bad input writes nothing.
    const documents = validChunks(chunks).map(meilisearchDocument);
    if (documents.length === 0) return;
    const written = new Map(documents.map((document) => [document.id, document]));
    const others = (await this.fileMembers(documents.map((document) => document.file))).filter(
      (member) => !written.has(member.id),
    );
    const lengths = fileLengths([...others, ...documents]);
    for (const document of documents) {
      const file = lengths.get(document.file)!;
      document.fileTokens = file.tokens;
      document.fileChunks = file.chunks;
    }
    // Measured once the lengths are in: they are part of each document's bytes.
    const batches = batchesWithin(documents, this.batchLimits, (document) => `chunk ${document.id}`);
    await this.write('upsert', [
      ...batches.map((batch) => () => this.index.addDocuments(batch, { primaryKey: 'id' })),
      ...this.fileLengthUpdates(others, lengths),
    ]);
    this.corpora.clear();
  }

  async delete(ids: readonly string[]): Promise<void> {
    const batches: string[][] = [];
    for (let offset = 0; offset < ids.length; offset += DELETE_BATCH)
      batches.push(ids.slice(offset, offset + DELETE_BATCH));
    const files = new Set<string>();
    for (const batch of batches) {
      for (const member of await this.fetchMembers(`id IN [${batch.map(quoteFilterValue).join(', ')}]`)) {
        files.add(member.file);
      }
    }
    await this.write(
      'delete',
      batches.map((batch) => () => this.index.deleteDocuments(batch)),
    );
    // The files that lost chunks have new lengths.
    const remaining = await this.fileMembers([...files]);
    const updates = this.fileLengthUpdates(remaining, fileLengths(remaining));
    if (updates.length > 0) await this.write('update file lengths', updates);
    this.corpora.clear();
  }

  async deleteRepository(repository: string): Promise<void> {
    await this.write('delete repository', [
      () => this.index.deleteDocuments({ filter: `repository = ${quoteFilterValue(repository)}` }),
    ]);
    this.corpora.clear();
  }

  async documentIds(repository: string): Promise<string[]> {
    return (await this.fetchMembers(`repository = ${quoteFilterValue(repository)}`)).map((member) => member.id);
  }

  /** Partial updates for the members whose stored file length differs from `lengths`. */
  private fileLengthUpdates(
    members: readonly StoredMember[],
    lengths: ReadonlyMap<string, { tokens: number; chunks: number }>,
  ): Array<() => EnqueuedTaskPromise> {
    const changed = members.flatMap((member) => {
      const file = lengths.get(member.file)!;
      return member.fileTokens === file.tokens && member.fileChunks === file.chunks
        ? []
        : [{ id: member.id, fileTokens: file.tokens, fileChunks: file.chunks }];
    });
    const updates: Array<() => EnqueuedTaskPromise> = [];
    for (let offset = 0; offset < changed.length; offset += this.batchLimits.maxDocuments) {
      const batch = changed.slice(offset, offset + this.batchLimits.maxDocuments);
      updates.push(() => this.index.updateDocuments(batch, { primaryKey: 'id' }));
    }
    return updates;
  }

  /** Every stored chunk of these files (`repository:path`). */
  private async fileMembers(files: readonly string[]): Promise<StoredMember[]> {
    const unique = [...new Set(files)];
    const members: StoredMember[] = [];
    for (let offset = 0; offset < unique.length; offset += FILES_PER_FETCH) {
      const slice = unique.slice(offset, offset + FILES_PER_FETCH);
      members.push(...(await this.fetchMembers(`file IN [${slice.map(quoteFilterValue).join(', ')}]`)));
    }
    return members;
  }

  private async fetchMembers(filter: string): Promise<StoredMember[]> {
    const members: StoredMember[] = [];
    for (let offset = 0; ; offset += FETCH_PAGE) {
      const page = await this.call('read documents', () =>
        this.index.getDocuments<StoredMember>({
          filter,
          fields: ['id', 'file', 'tokens', 'fileTokens', 'fileChunks'],
          limit: FETCH_PAGE,
          offset,
        }),
      );
      members.push(...page.results);
      if (page.results.length < FETCH_PAGE) return members;
    }
  }

  /**
   * BM25 over the chunks holding the query's rarest lexemes, ranked by `rankBm25` as the Postgres adapter ranks, in
   * two requests:
   *  1. each lexeme's chunk count under the filter (nothing fetched), beside the cached corpus statistics;
   *  2. the chunks of the rarest lexemes that fit under the candidate cap, each with its symbol and path lexemes and
   *     its content's Bloom filter, which tell the field-weighted frequency of every query lexeme in it.
   * The second step once needed a third: each other lexeme looked up among the candidates by an `id IN [...]`
   * filter, which costs Meilisearch ~0.1 ms per id; the filter answers that locally.
   */
  async search(query: KeywordQuery): Promise<ScoredId[]> {
    const { text, limit, filter } = validQuery(query);
    const lexemes = queryLexemes(text);
    if (lexemes.length === 0 || filter.repositories?.length === 0 || filter.languages?.length === 0) return [];
    const globs = filter.pathGlobs?.length ? compilePathGlobs(filter.pathGlobs) : undefined;
    const prefixes = globs && !globs.prefixes.includes('') ? globs.prefixes : undefined;
    const clauses = filterExpression(filter, prefixes);
    const term = (lexeme: string, extra: Partial<MultiSearchQuery>): MultiSearchQuery => ({
      indexUid: this.uid,
      q: lexemeQuery(lexeme),
      filter: clauses,
      ...extra,
    });

    const [counted, corpus] = await Promise.all([
      this.multiSearch(
        lexemes.map((lexeme) => term(lexeme, { page: 1, hitsPerPage: 0 })),
        countRequestDispatcher(lexemes.length),
      ),
      this.corpus(filter.repositories),
    ]);
    const counts = counted.map(totalHits);
    const rare = candidateTerms(counts, this.candidateCap);
    if (rare.length === 0 || corpus.chunks === 0) return [];

    const found = await this.multiSearch(
      rare.map((index) =>
        term(lexemes[index]!, {
          page: 1,
          hitsPerPage: Math.min(counts[index]!, this.candidateCap),
          attributesToRetrieve: [...CANDIDATE_FIELDS],
        }),
      ),
    );
    const hits = new Map<string, { hit: CandidateHit; fetchedFor: Set<string> }>();
    rare.forEach((termIndex, resultIndex) => {
      for (const hit of (found[resultIndex]?.hits ?? []) as unknown as CandidateHit[]) {
        const entry = hits.get(hit.id) ?? { hit, fetchedFor: new Set<string>() };
        entry.fetchedFor.add(lexemes[termIndex]!);
        hits.set(hit.id, entry);
      }
    });
    const all: Array<Bm25Candidate & { path: string }> = [...hits.values()].map(({ hit, fetchedFor }) => ({
      id: hit.id,
      path: hit.path,
      file: hit.file,
      tokens: hit.tokens,
      fileTokens: hit.fileTokens,
      frequencies: candidateFrequencies(hit, lexemes, fetchedFor),
    }));
    const terms = lexemes.map((_, index) => {
      const holding = all.filter((candidate) => candidate.frequencies[index]! > 0);
      return termStatistics(
        counts[index]!,
        { chunks: holding.length, files: new Set(holding.map((candidate) => candidate.file)).size },
        corpus,
      );
    });
    const kept = globs ? all.filter((candidate) => globs.matches(candidate.path)) : all;
    return rankBm25(kept, terms, corpus, this.bm25).slice(0, limit);
  }

  /**
   * Chunks, files and words under a repository filter, estimated from a sample (see `estimateCorpus`). Figures older
   * than a minute are re-read in the background while they keep answering (a 5,000-chunk sample takes ~80 ms to
   * read at 100k chunks, and BM25 barely moves in a minute); after this instance writes, the next search waits for
   * fresh ones.
   */
  private corpus(repositories: readonly string[] | undefined): Promise<CorpusStatistics> {
    const key = repositories ? JSON.stringify([...repositories].sort()) : '*';
    const cached = this.corpora.get(key);
    if (cached) {
      if (!cached.refreshing && performance.now() - cached.readAt > STATISTICS_TTL_MS) {
        cached.refreshing = true;
        this.readCorpus(repositories).then(
          (value) =>
            this.corpora.set(key, { readAt: performance.now(), value: Promise.resolve(value), refreshing: false }),
          () => (cached.refreshing = false),
        );
      }
      return cached.value;
    }
    const value = this.readCorpus(repositories);
    this.corpora.set(key, { readAt: performance.now(), value, refreshing: false });
    // A failed read is retried by the next search rather than cached.
    value.catch(() => this.corpora.delete(key));
    return value;
  }

  private async readCorpus(repositories: readonly string[] | undefined): Promise<CorpusStatistics> {
    const [result] = await this.multiSearch([
      {
        indexUid: this.uid,
        q: '',
        filter: filterExpression({ ...(repositories ? { repositories: [...repositories] } : {}) }, undefined),
        hitsPerPage: CORPUS_SAMPLE,
        page: 1,
        sort: ['id:asc'],
        attributesToRetrieve: ['tokens', 'fileChunks'],
      },
    ]);
    return estimateCorpus(result ? totalHits(result) : 0, result?.hits ?? []);
  }

  /**
   * A multi-search over undici's `request` instead of the client's `fetch`: on a response of a search's 300
   * candidates `fetch` (its WHATWG streams) costs ~2.5 ms more, a fifth of the search. Errors are typed as the
   * client's are, and a search is not retried (the gateway's leg timeout and circuit breaker handle a store that is
   * down).
   */
  private async multiSearch(
    queries: MultiSearchQuery[],
    dispatcher: Agent = ONE_CONNECTION_PER_REQUEST,
  ): Promise<SearchResponse<MeilisearchDocument>[]> {
    try {
      const response = await request(this.multiSearchUrl, {
        method: 'POST',
        dispatcher,
        headers: this.searchHeaders,
        body: JSON.stringify({ queries }),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      const text = await response.body.text();
      const body = parseMultiSearchBody(text);
      if (response.statusCode >= 300) {
        throw meilisearchResponseError(
          {
            status: response.statusCode,
            code: body?.code,
            type: body?.type,
            message: body?.message ?? text.slice(0, 200),
          },
          'search',
        );
      }
      if (!body?.results) {
        throw new DependencyError('meilisearch', 'Meilisearch answered a search without results (not its JSON)');
      }
      return body.results;
    } catch (error) {
      throw meilisearchError(error, 'search');
    }
  }

  async ping(): Promise<void> {
    await this.call('health', () => this.client.health(), false);
  }

  async close(): Promise<void> {
    // The client holds no connections of its own (fetch per request).
  }
}

type StoredMember = Pick<MeilisearchDocument, 'id' | 'file' | 'tokens' | 'fileTokens' | 'fileChunks'>;
/** A multi-search answer: the results, or an error's fields. */
interface MultiSearchBody {
  results?: SearchResponse<MeilisearchDocument>[];
  message?: string;
  code?: string;
  type?: string;
}

function parseMultiSearchBody(text: string): MultiSearchBody | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null ? body : undefined;
  } catch {
    return undefined;
  }
}

function totalHits(result: SearchResponse<MeilisearchDocument>): number {
  return result.totalHits ?? result.estimatedTotalHits ?? 0;
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
